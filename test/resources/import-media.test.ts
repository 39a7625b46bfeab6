import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, request } from '../helper.js'

// Images in imported files (issue 21): WordPress attachments and `_thumbnail_id`, Blogger's
// `media:thumbnail`, imported through POST /v1/import from the real files of
// ../shared/fixtures. Nothing is downloaded: each image is an external media item keeping its
// address. What each file says is read here with regular expressions, apart from the app.

type Item = Record<string, any>

const fixture = (name: string): string => readFileSync(new URL(`../../../shared/fixtures/${name}`, import.meta.url), 'utf8')
const wxr2025File = fixture('wxr-wordpress-com-2025.xml')
const themeFile = fixture('wxr-theme-unit-test-data.xml')
const ghostFile = fixture('blogger-legacy-ghost-sample.xml')

// --- What a WXR file says ----------------------------------------------------------------

interface WxrAttachment { id: string, url: string, alt: string, caption: string }

const field = (item: string, pattern: RegExp): string => pattern.exec(item)?.[1]?.trim() ?? ''
const cdata = (text: string): string => text.replace(/^<!\[CDATA\[|\]\]>$/g, '').trim()
const items = (file: string): string[] => file.split('<item>').slice(1).map((item) => item.split('</item>')[0]!)
const postType = (item: string): string => cdata(field(item, /<wp:post_type>([\s\S]*?)<\/wp:post_type>/))
const postId = (item: string): string => field(item, /<wp:post_id>(\d+)<\/wp:post_id>/)
const meta = (item: string, key: string): string =>
  cdata(field(item, new RegExp(`<wp:meta_key>(?:<!\\[CDATA\\[)?${key}(?:\\]\\]>)?</wp:meta_key>\\s*<wp:meta_value>([\\s\\S]*?)</wp:meta_value>`)))

function wxrAttachments (file: string): WxrAttachment[] {
  return items(file).filter((item) => postType(item) === 'attachment').map((item) => ({
    id: postId(item),
    url: cdata(field(item, /<wp:attachment_url>([\s\S]*?)<\/wp:attachment_url>/)),
    alt: meta(item, '_wp_attachment_image_alt'),
    caption: cdata(field(item, /<excerpt:encoded>([\s\S]*?)<\/excerpt:encoded>/)).replace(/\s+/g, ' ')
  }))
}

/** Each post's slug and the attachment id its `_thumbnail_id` names. */
function wxrThumbnails (file: string): Array<{ slug: string, attachmentId: string }> {
  return items(file).filter((item) => postType(item) === 'post' && meta(item, '_thumbnail_id') !== '')
    .map((item) => ({ slug: cdata(field(item, /<wp:post_name>([\s\S]*?)<\/wp:post_name>/)), attachmentId: meta(item, '_thumbnail_id') }))
}

const isImageUrl = (url: string): boolean => /\.(?:jpe?g|png|gif|webp|avif)$/i.test(url)

// --- Requests ----------------------------------------------------------------------------

async function imported (app: FastifyInstance, t: Test, file: string, query = ''): Promise<Item> {
  const response = await request(app, t, { method: 'POST', url: `/v1/import${query}`, headers: { ...bearer(adminSecret), 'content-type': 'application/xml' }, payload: file })
  t.equal(response.statusCode, 200, 'the import answers 200', { body: response.body.slice(0, 1000) })
  return response.json()
}

async function getJson (app: FastifyInstance, t: Test, url: string): Promise<Item> {
  const response = await request(app, t, { method: 'GET', url, headers: bearer(adminSecret) })
  t.equal(response.statusCode, 200, `GET ${url}`, { body: response.body.slice(0, 500) })
  return response.json()
}

async function allMedia (app: FastifyInstance, t: Test): Promise<Item[]> {
  const list = await getJson(app, t, '/v1/media?limit=100&sort=fileName')
  t.ok(list.meta.total <= 100, 'one page holds every item')
  return list.data
}

async function articlesBySlug (app: FastifyInstance, t: Test): Promise<Map<string, Item>> {
  const list = await getJson(app, t, '/v1/articles?limit=100')
  return new Map(list.data.map((article: Item) => [article.slug, article]))
}

const counts = (created: number, updated = 0, unchanged = 0, skipped = 0) => ({ created, updated, unchanged, skipped })

/** The featured image each article shows, by slug: the address it comes from, or null. */
function featuredAddresses (articles: Map<string, Item>): Record<string, string | null> {
  return Object.fromEntries([...articles].map(([slug, article]) => [slug, article.featuredImage?.url ?? null]))
}

// --- Tests -------------------------------------------------------------------------------

t.test('the 2025 WordPress.com export: 6 attachments become external items, 3 posts get their _thumbnail_id', async (t) => {
  const app = await build(t)
  const attachments = wxrAttachments(wxr2025File)
  const thumbnails = wxrThumbnails(wxr2025File)
  t.equal(attachments.length, 6, 'the file has 6 attachments, all images')
  t.same(thumbnails.map((thumbnail) => thumbnail.slug), ['the-art-of-connection', 'beyond-the-obstacle', 'growth-unlocked'], 'and three posts naming one')

  await t.test('a dry run counts them and writes none', async (t) => {
    const dry = await imported(app, t, wxr2025File, '?dryRun=true')
    t.same(dry.counts.media, counts(6))
    t.same(await allMedia(app, t), [], 'the library is empty')
    t.same((await getJson(app, t, '/v1/articles?limit=1')).meta.total, 0, 'and so is the blog')
  })

  await t.test('the import: one external item per attachment, with what the export says of it', async (t) => {
    const report = await imported(app, t, wxr2025File)
    t.same(report.counts.media, counts(6))
    const media = await allMedia(app, t)
    const [author] = (await getJson(app, t, '/v1/authors')).data
    t.same(media.map((item) => item.externalUrl).sort(), attachments.map((attachment) => attachment.url).sort(), 'every attachment\'s address')
    for (const item of media) {
      t.match(item, {
        source: 'external',
        url: item.externalUrl,
        fileName: item.externalUrl.split('/').at(-1),
        type: null,
        width: null,
        height: null,
        bytes: null,
        srcset: '',
        sources: [],
        variants: [],
        placeholder: null,
        alt: '',
        caption: '',
        credit: '',
        ownerAuthorId: author.id
      }, `${item.fileName as string}: external, nothing known of its file yet, owned by the uploader`)
    }
  })

  await t.test('the posts naming a _thumbnail_id show that attachment as their featured image; the others none', async (t) => {
    const articles = await articlesBySlug(app, t)
    const urlOf = new Map(attachments.map((attachment) => [attachment.id, attachment.url]))
    const expected = Object.fromEntries([...articles.keys()].map((slug) => [slug, null as string | null]))
    for (const thumbnail of thumbnails) expected[thumbnail.slug] = urlOf.get(thumbnail.attachmentId)!
    t.same(featuredAddresses(articles), expected)
    const art = articles.get('the-art-of-connection')!
    t.same(art.featuredImage, (await allMedia(app, t)).filter((item) => item.externalUrl === urlOf.get('10')).map((item) => ({
      id: item.id, url: item.externalUrl, width: null, height: null, alt: '', caption: '', credit: '', srcset: '', sources: [], placeholder: null, dominantColor: null, focalPoint: { x: 0.5, y: 0.5 }
    }))[0], 'the embedded image is the external item, its address as url')
    const one = await getJson(app, t, '/v1/articles/the-art-of-connection')
    t.same(one.featuredImage, art.featuredImage, 'the article read alone embeds the same')
  })

  await t.test('importing again creates nothing and changes nothing', async (t) => {
    const before = await allMedia(app, t)
    const featured = featuredAddresses(await articlesBySlug(app, t))
    const again = await imported(app, t, wxr2025File)
    t.same(again.counts.media, counts(0, 0, 6))
    t.same(await allMedia(app, t), before, 'the same items, untouched')
    t.same(featuredAddresses(await articlesBySlug(app, t)), featured, 'the same featured images')
  })

  await t.test('an alt text added in the export updates that item only; a deleted item comes back', async (t) => {
    const alt = 'Two hands reaching across a table'
    const edited = wxr2025File.replace('<wp:meta_key>_wp_attached_file</wp:meta_key>', `<wp:meta_key>_wp_attachment_image_alt</wp:meta_key>\n        <wp:meta_value><![CDATA[${alt}]]></wp:meta_value>\n      </wp:postmeta>\n      <wp:postmeta>\n        <wp:meta_key>_wp_attached_file</wp:meta_key>`)
    t.not(edited, wxr2025File, 'the first attachment got an alt text')
    const report = await imported(app, t, edited)
    t.same(report.counts.media, counts(0, 1, 5))
    const art = (await articlesBySlug(app, t)).get('the-art-of-connection')!
    t.equal(art.featuredImage.alt, alt, 'the featured image of its post shows it')

    const unused = (await allMedia(app, t)).find((item) => item.externalUrl === wxrAttachments(wxr2025File).find((attachment) => attachment.id === '17')!.url)!
    const deleted = await request(app, t, { method: 'DELETE', url: `/v1/media/${unused.id as number}`, headers: bearer(adminSecret) })
    t.equal(deleted.statusCode, 204, 'an editor deletes an item no article uses')
    const after = await imported(app, t, edited)
    t.same(after.counts.media, counts(1, 0, 5), 'the import makes it again')
  })
})

t.test('the theme unit test data: 35 images with their alt texts and captions, 2 other attachments skipped, 6 featured images', async (t) => {
  const app = await build(t)
  const attachments = wxrAttachments(themeFile)
  const images = attachments.filter((attachment) => isImageUrl(attachment.url))
  t.equal(attachments.length, 37)
  t.equal(images.length, 35, 'of which 35 are images')

  const report = await imported(app, t, themeFile)
  t.same(report.counts.media, counts(35, 0, 0, 2))
  t.same(report.skipped.filter((row: Item) => row.resource === 'media').map((row: Item) => row.sourceId).sort(),
    attachments.filter((attachment) => !isImageUrl(attachment.url)).map((attachment) => attachment.id).sort(), 'the skipped ones are those that are not images')

  const media = await allMedia(app, t)
  t.equal(media.length, 35)
  const byUrl = new Map(media.map((item) => [item.externalUrl, item]))
  for (const image of images) {
    const item = media.find((candidate) => candidate.externalUrl === image.url && candidate.alt === image.alt && candidate.caption === image.caption)
    t.ok(item, `attachment ${image.id}: its alt text "${image.alt}" and caption`)
  }
  t.equal(media.filter((item) => item.alt !== '').length, images.filter((image) => image.alt !== '').length, 'an alt text for each _wp_attachment_image_alt')
  t.equal(byUrl.get('https://wpthemetestdata.files.wordpress.com/2008/06/100_5478.jpg')?.alt, 'Bell on Wharf')

  const articles = await articlesBySlug(app, t)
  const thumbnails = wxrThumbnails(themeFile)
  t.equal(thumbnails.length, 6)
  for (const thumbnail of thumbnails) {
    const attachment = attachments.find((candidate) => candidate.id === thumbnail.attachmentId)!
    t.match(articles.get(thumbnail.slug)?.featuredImage, { url: attachment.url, alt: attachment.alt }, `${thumbnail.slug}: attachment ${thumbnail.attachmentId}`)
  }
  t.equal([...articles.values()].filter((article) => article.featuredImage !== null).length, 6, 'no other article has one')

  const again = await imported(app, t, themeFile)
  t.same(again.counts.media, counts(0, 0, 35, 2), 're-imported: all unchanged')
  t.equal((await allMedia(app, t)).length, 35, 'nothing new in the library')
})

t.test('the Ghost Blogger sample: the media:thumbnail is the featured image of its post', async (t) => {
  const app = await build(t)
  const address = /<media:thumbnail[^>]*url='([^']+)'/.exec(ghostFile)![1]!
  const report = await imported(app, t, ghostFile)
  t.same(report.counts.media, counts(1))
  const [item] = await allMedia(app, t)
  const [author] = (await getJson(app, t, '/v1/authors')).data
  t.match(item, { source: 'external', externalUrl: address, url: address, fileName: 'IMG_1234.jpg', ownerAuthorId: author.id })
  const articles = await articlesBySlug(app, t)
  t.same(featuredAddresses(articles), { rhoncus: null, vestibulum: address }, 'on the post with the thumbnail only')

  await t.test('an editor who takes the featured image off keeps it off when the same file comes again', async (t) => {
    const vestibulum = articles.get('vestibulum')!
    const patched = await request(app, t, { method: 'PATCH', url: `/v1/articles/${vestibulum.id as number}`, headers: bearer(adminSecret), payload: { featuredImage: null } })
    t.equal(patched.statusCode, 200, 'the editor takes it off', { body: patched.body.slice(0, 500) })
    const again = await imported(app, t, ghostFile)
    t.same([again.counts.articles.unchanged, again.counts.media], [2, counts(0, 0, 1)])
    t.equal((await articlesBySlug(app, t)).get('vestibulum')?.featuredImage, null, 'an unchanged article is left as the editor made it')
  })
})
