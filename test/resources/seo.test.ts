import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { photo, uploaded } from '../media.js'
import { assertProblem } from '../problems.js'

// Search and social metadata on articles (issue 22, part 1): what a front end prints in
// `<head>`, every field falling back as documented when it is null, carried by every write,
// revision, trash, export and import, and heard by the sitemap.

const admin = bearer(adminSecret)
const noSeo = { title: null, description: null, canonicalUrl: null, noindex: false, socialTitle: null, socialDescription: null, socialImage: null }
const site = 'https://blog.example.org'

async function patch (app: FastifyInstance, t: Test, id: number, payload: Record<string, unknown>, headers = admin) {
  return await request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers, payload })
}

async function read (app: FastifyInstance, t: Test, id: number | string, headers: Record<string, string> = {}) {
  const response = await request(app, t, { method: 'GET', url: `/v1/articles/${id}`, headers })
  t.equal(response.statusCode, 200, `GET /v1/articles/${id}`)
  return response.json()
}

t.test('an article without any has every field null (and noindex false): the front end falls back to title, excerpt and featured image', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { title: 'Harbour wall repairs begin', authorId: author.id, status: 'published' })
  t.same(article.seo, noSeo)
  t.same((await read(app, t, article.slug)).seo, noSeo, 'readers see the same')
  const list = await request(app, t, { method: 'GET', url: '/v1/articles' })
  t.same(list.json().data[0].seo, noSeo, 'and lists carry it')
})

t.test('written on create and changed field by field: the fields a write names change, null falls back again, the rest stay', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const seo = { title: 'Harbour wall: repairs start Monday', description: '  Six weeks of work on the old wall,\n   from the slipway to the lighthouse.  ', canonicalUrl: 'https://wire.example.net/stories/harbour-wall?ref=dateline', noindex: false, socialTitle: 'The harbour wall is getting fixed' }
  const article = await createArticle(app, t, { title: 'Harbour wall repairs begin', authorId: author.id, status: 'published', seo })
  t.same(article.seo, { ...noSeo, ...seo, description: 'Six weeks of work on the old wall, from the slipway to the lighthouse.' }, 'text on one line: trimmed, spaces folded')

  const before = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: admin })
  const changed = await patch(app, t, article.id, { seo: { noindex: true, canonicalUrl: null } })
  t.equal(changed.statusCode, 200)
  t.same(changed.json().seo, { ...article.seo, noindex: true, canonicalUrl: null }, 'only the two fields named changed')
  t.not(changed.headers.etag, before.headers.etag, 'the version moved on')

  const unchanged = await patch(app, t, article.id, { seo: {} })
  t.equal(unchanged.statusCode, 200, 'an empty seo is a write of nothing in it')
  t.same(unchanged.json().seo, changed.json().seo)

  const cleared = await patch(app, t, article.id, { seo: { title: null, description: null, noindex: false, socialTitle: null } })
  t.same(cleared.json().seo, noSeo, 'every field back to its fallback')

  const log = await request(app, t, { method: 'GET', url: '/v1/changes?resource=article', headers: admin })
  const fields = log.json().data.filter((entry: { kind: string }) => entry.kind === 'updated').map((entry: { fields: string[] }) => entry.fields)
  t.ok(fields.some((list: string[]) => list.includes('seo')), 'the change log names the seo field')

  const sparse = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}?fields=seo` })
  t.same(Object.keys(sparse.json()).sort(), ['id', 'seo'], 'fields=seo answers it alone')
})

t.test('bad values are 400s naming the field, and nothing is written', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { title: 'Harbour wall repairs begin', authorId: author.id })
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ canonicalUrl: 'ftp://wire.example.net/story' }, 'body.seo.canonicalUrl'],
    [{ canonicalUrl: '/stories/relative' }, 'body.seo.canonicalUrl'],
    [{ title: 'x'.repeat(301) }, 'body.seo.title'],
    [{ title: '   ' }, 'body.seo.title'],
    [{ description: 'line\u0000break' }, 'body.seo.description'],
    [{ noindex: 'yes' }, 'body.seo.noindex'],
    [{ socialImage: 0 }, 'body.seo.socialImage'],
    [{ keywords: 'harbour' }, 'body.seo']
  ]
  for (const [seo, path] of cases) {
    const response = await patch(app, t, article.id, { seo })
    const problem = assertProblem(t, response, 400, 'validation')
    t.ok(JSON.stringify(problem).includes(path), `${JSON.stringify(seo)} names ${path}`)
  }
  assertProblem(t, await patch(app, t, article.id, { seo: { socialImage: 9999 } }), 400, 'validation', 'body.seo.socialImage')
  t.same((await read(app, t, article.id, admin)).seo, noSeo, 'none of it was written')
})

t.test('the social image is a media id answered ready to show; an author attaches only its own; a deleted image is refused while in use, taken off everything with force', async (t) => {
  const app = await build(t)
  const ada = await createAuthor(app, t, { name: 'Ada' })
  const bo = await createAuthor(app, t, { name: 'Bo' })
  const adaToken = await tokenFor(app, 'author', ada.id)
  const bosImage = await uploaded(app, t, { name: 'quay.jpg', data: await photo(700, 400) }, { alt: 'The quay' }, await tokenFor(app, 'author', bo.id))
  const article = await createArticle(app, t, { title: 'Quay reopens', authorId: ada.id }, adaToken)

  const refused = await patch(app, t, article.id, { seo: { socialImage: bosImage.id } }, bearer(adaToken))
  assertProblem(t, refused, 403, 'forbidden', 'body.seo.socialImage')

  const own = await uploaded(app, t, { name: 'card.jpg', data: await photo(1200, 630) }, { alt: 'The quay at dawn' }, adaToken)
  const set = await patch(app, t, article.id, { seo: { socialImage: own.id } }, bearer(adaToken))
  t.equal(set.statusCode, 200)
  t.equal(set.json().seo.socialImage.id, own.id)
  t.equal(set.json().seo.socialImage.alt, 'The quay at dawn')
  t.match(set.json().seo.socialImage.url, /^\/media\//, 'with its url and sizes, as the featured image is answered')
  t.equal(set.json().featuredImage, null, 'the featured image is another thing')

  const titled = await createArticle(app, t, { title: 'Quay traffic plan', authorId: bo.id, seo: { title: 'Quay traffic: the plan', socialImage: own.id } })
  const page = await request(app, t, { method: 'POST', url: '/v1/pages', headers: admin, payload: { title: 'Our harbour', seo: { socialImage: own.id } } })
  t.equal(page.statusCode, 201)

  const inUse = await request(app, t, { method: 'DELETE', url: `/v1/media/${own.id}`, headers: admin })
  t.match(assertProblem(t, inUse, 409, 'conflict').detail, `article ${article.id} (social)`, 'the refusal names the article and the use')
  const head = (await request(app, t, { method: 'GET', url: '/v1/changes', headers: admin })).json().meta.head
  const forced = await request(app, t, { method: 'DELETE', url: `/v1/media/${own.id}?force=true`, headers: admin })
  t.equal(forced.statusCode, 204)
  const after = await read(app, t, article.id, admin)
  t.equal(after.seo.socialImage, null, 'taken off the article')
  t.not(after.updatedAt, article.updatedAt, 'which moved on')
  t.same((await read(app, t, titled.id, admin)).seo, { ...noSeo, title: 'Quay traffic: the plan' }, 'off the other article, its title kept')
  const pageAfter = await request(app, t, { method: 'GET', url: `/v1/pages/${page.json().id}`, headers: admin })
  t.equal(pageAfter.json().seo.socialImage, null, 'and off the page')
  t.not(pageAfter.headers.etag, page.headers.etag, 'which moved on too')

  const log = (await request(app, t, { method: 'GET', url: `/v1/changes?since=${head}&resource=article,page`, headers: admin })).json().data
  t.same(log.map((entry: { resource: string, id: string, kind: string, fields: string[] }) => `${entry.resource} ${entry.id} ${entry.kind} ${entry.fields.join()}`).sort(),
    [`article ${article.id} updated seo`, `article ${titled.id} updated seo`, `page ${page.json().id} updated seo`].sort(), 'the change log has each of them once')
  const lines = (await request(app, t, { method: 'GET', url: '/v1/export', headers: admin })).body.trim().split('\n').map((line) => JSON.parse(line))
  t.notOk('seo' in lines.find((line) => line.type === 'article' && line.id === article.id), 'an owner that had the image alone is left with nothing set')
  t.same(lines.find((line) => line.type === 'article' && line.id === titled.id).seo, { ...noSeo, title: 'Quay traffic: the plan' })
})

t.test('the sitemap leaves out what is noindex or canonical elsewhere', async (t) => {
  const app = await build(t, { siteUrl: `${site}/` })
  const author = await createAuthor(app, t)
  const plain = await createArticle(app, t, { title: 'Plain story', authorId: author.id, status: 'published' })
  const hidden = await createArticle(app, t, { title: 'Hidden story', authorId: author.id, status: 'published', seo: { noindex: true } })
  const wire = await createArticle(app, t, { title: 'Wire story', authorId: author.id, status: 'published', seo: { canonicalUrl: 'https://wire.example.net/story' } })
  const described = await createArticle(app, t, { title: 'Described story', authorId: author.id, status: 'published', seo: { description: 'Still indexed.' } })
  const sitemap = (await request(app, t, { method: 'GET', url: '/sitemap.xml' })).body
  t.match(sitemap, plain.slug)
  t.match(sitemap, described.slug, 'other metadata changes nothing')
  t.notMatch(sitemap, hidden.slug)
  t.notMatch(sitemap, wire.slug)
  const slugs = async (url: string) => (await request(app, t, { method: 'GET', url })).json().data.map((article: { slug: string }) => article.slug).sort()
  t.same(await slugs('/v1/articles?noindex=true'), [hidden.slug], 'the list filter finds what is kept out of search engines')
  t.same(await slugs('/v1/articles?noindex=false'), [described.slug, plain.slug, wire.slug].sort(), 'and the others')
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/articles?noindex=maybe' }), 400, 'validation', 'querystring.noindex')
  t.equal((await patch(app, t, hidden.id, { seo: { noindex: false } })).statusCode, 200)
  t.match((await request(app, t, { method: 'GET', url: '/sitemap.xml' })).body, hidden.slug, 'back when it may be indexed again')
})

t.test('revisions keep the metadata, the byline and unpublishAt; a restore brings the metadata and co-authors back', async (t) => {
  const app = await build(t)
  const ada = await createAuthor(app, t, { name: 'Ada' })
  const bo = await createAuthor(app, t, { name: 'Bo' })
  const unpublishAt = new Date(Date.now() + 86_400_000).toISOString()
  const article = await createArticle(app, t, { title: 'Harbour wall', authorIds: [ada.id, bo.id], status: 'published', unpublishAt, seo: { title: 'First SEO title', noindex: true } })
  t.equal((await patch(app, t, article.id, { authorIds: [ada.id], unpublishAt: null, seo: { title: 'Second SEO title', noindex: false } })).statusCode, 200)

  const revision = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions/1`, headers: admin })
  t.equal(revision.statusCode, 200)
  t.same(revision.json().authorIds, [ada.id, bo.id])
  t.equal(revision.json().unpublishAt, unpublishAt)
  t.same(revision.json().seo, { ...noSeo, title: 'First SEO title', noindex: true })
  const list = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions`, headers: admin })
  t.same(list.json().data[0].authorIds, [ada.id, bo.id], 'the list shows the byline too')

  const current = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: admin })
  const restored = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/revisions/1/restore`, headers: { ...admin, 'if-match': String(current.headers.etag) } })
  t.equal(restored.statusCode, 200)
  t.same(restored.json().seo, { ...noSeo, title: 'First SEO title', noindex: true })
  t.same(restored.json().authorIds, [ada.id, bo.id])
  t.equal(restored.json().unpublishAt, unpublishAt, 'still ahead, so it comes back')
})

t.test('the trash keeps it: a restored article has its metadata back', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const image = await uploaded(app, t, { name: 'card.jpg', data: await photo(800, 420) }, { alt: 'A card' })
  const seo = { title: 'Kept in the trash', description: 'And back again.', canonicalUrl: null, noindex: true, socialTitle: 'Social', socialDescription: 'Shared', socialImage: image.id }
  const article = await createArticle(app, t, { title: 'Trashed then restored', authorId: author.id, seo })
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: admin })).statusCode, 204)
  const trashed = await request(app, t, { method: 'GET', url: `/v1/trash/${article.id}`, headers: admin })
  const restored = await request(app, t, { method: 'POST', url: `/v1/trash/${article.id}/restore`, headers: { ...admin, 'if-match': String(trashed.headers.etag) } })
  t.equal(restored.statusCode, 200)
  t.same({ ...restored.json().seo, socialImage: restored.json().seo.socialImage?.id }, seo)
})

t.test('export → import carries it, the social image by its media line; a version 4 file without it still reads', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const image = await uploaded(app, t, { name: 'card.jpg', data: await photo(800, 420) }, { alt: 'A card' })
  const seo = { title: 'Exported SEO title', description: 'Exported description.', canonicalUrl: 'https://wire.example.net/a', noindex: true, socialTitle: 'Exported social title', socialDescription: 'Exported social description.', socialImage: image.id }
  const article = await createArticle(app, t, { title: 'Exported article', authorId: author.id, status: 'published', seo })
  const plain = await createArticle(app, t, { title: 'Plain article', authorId: author.id, status: 'published' })
  const exported = await request(app, t, { method: 'GET', url: '/v1/export', headers: admin })
  const lines = exported.body.trim().split('\n').map((line) => JSON.parse(line))
  t.equal(lines[0].version, 5)
  t.same(lines.find((line) => line.type === 'article' && line.id === article.id).seo, seo, 'the line holds it, the image by id')
  t.notOk('seo' in lines.find((line) => line.type === 'article' && line.id === plain.id), 'and leaves it out when none is set')

  const fresh = await build(t)
  const imported = await request(fresh, t, { method: 'POST', url: '/v1/import', headers: { ...admin, 'content-type': 'application/x-ndjson' }, payload: exported.body })
  t.equal(imported.statusCode, 200)
  const copy = await read(fresh, t, article.id, admin)
  t.same({ ...copy.seo, socialImage: copy.seo.socialImage?.id }, seo)
  t.same((await read(fresh, t, plain.id, admin)).seo, noSeo)

  const version4 = exported.body.replace('"version":5', '"version":4').split('\n').map((line) => line.replace(/,"seo":\{[^}]*\}/, '')).join('\n')
  const older = await build(t)
  t.equal((await request(older, t, { method: 'POST', url: '/v1/import', headers: { ...admin, 'content-type': 'application/x-ndjson' }, payload: version4 })).statusCode, 200)
  t.same((await read(older, t, article.id, admin)).seo, noSeo)
})

const wxr = (meta: Record<string, string>, postType = 'post') => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Harbour news</title>
  <link>https://harbour.example.org</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://harbour.example.org</wp:base_site_url>
  <item>
    <title>Harbour wall repairs begin</title>
    <link>https://harbour.example.org/2025/03/harbour-wall/</link>
    <dc:creator><![CDATA[ada]]></dc:creator>
    <content:encoded><![CDATA[<p>Six weeks of work.</p>]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>7</wp:post_id>
    <wp:post_date_gmt>2025-03-10 09:00:00</wp:post_date_gmt>
    <wp:post_name>harbour-wall</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>${postType}</wp:post_type>
    ${Object.entries(meta).map(([key, value]) => `<wp:postmeta><wp:meta_key>${key}</wp:meta_key><wp:meta_value><![CDATA[${value}]]></wp:meta_value></wp:postmeta>`).join('\n    ')}
  </item>
</channel>
</rss>`

async function importWxr (app: FastifyInstance, t: Test, file: string) {
  const response = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...admin, 'content-type': 'application/xml' }, payload: file })
  t.equal(response.statusCode, 200)
  return response.json()
}

t.test('WordPress: Yoast SEO\'s post meta is imported, Jetpack\'s as a fallback, a Yoast template title left out with a note', async (t) => {
  const app = await build(t)
  await importWxr(app, t, wxr({
    _yoast_wpseo_title: 'Harbour wall: repairs start Monday',
    _yoast_wpseo_metadesc: 'Six weeks of work &amp; a closed slipway.',
    _yoast_wpseo_canonical: 'https://wire.example.net/harbour-wall',
    '_yoast_wpseo_meta-robots-noindex': '1',
    '_yoast_wpseo_opengraph-title': 'The harbour wall is getting fixed',
    jetpack_seo_html_title: 'Jetpack title, overruled by Yoast\'s',
    advanced_seo_description: 'Jetpack description, overruled too'
  }))
  const article = await read(app, t, 'harbour-wall', admin)
  t.same(article.seo, { ...noSeo, title: 'Harbour wall: repairs start Monday', description: 'Six weeks of work & a closed slipway.', canonicalUrl: 'https://wire.example.net/harbour-wall', noindex: true, socialTitle: 'The harbour wall is getting fixed' })

  const jetpack = await build(t)
  await importWxr(jetpack, t, wxr({ jetpack_seo_html_title: 'Jetpack title', advanced_seo_description: 'Jetpack description', jetpack_seo_noindex: 'true' }))
  t.same((await read(jetpack, t, 'harbour-wall', admin)).seo, { ...noSeo, title: 'Jetpack title', description: 'Jetpack description', noindex: true })

  const templated = await build(t)
  const report = await importWxr(templated, t, wxr({ _yoast_wpseo_title: '%%title%% %%sep%% %%sitename%%', _yoast_wpseo_canonical: 'not a url' }))
  t.same((await read(templated, t, 'harbour-wall', admin)).seo, noSeo)
  const notes = JSON.stringify(report)
  t.match(notes, 'Yoast template', 'the report says why the title was left out')
  t.match(notes, 'canonical URL is not one the API accepts', 'and the canonical URL')
})

t.test('WordPress pages bring their Yoast meta too', async (t) => {
  const app = await build(t)
  await importWxr(app, t, wxr({ _yoast_wpseo_metadesc: 'Who we are.', '_yoast_wpseo_meta-robots-noindex': '2' }, 'page'))
  const page = await request(app, t, { method: 'GET', url: '/v1/pages/harbour-wall', headers: admin })
  t.equal(page.statusCode, 200)
  t.same(page.json().seo, { ...noSeo, description: 'Who we are.' }, 'Yoast\'s 2 means index: noindex stays false')
})

t.test('the real WordPress.com export: its Jetpack SEO fields are empty, and the post reads as every fallback', async (t) => {
  const { readFile } = await import('node:fs/promises')
  const app = await build(t)
  await importWxr(app, t, await readFile(new URL('../../../shared/fixtures/wxr-wordpress-com-2025.xml', import.meta.url), 'utf8'))
  const list = await request(app, t, { method: 'GET', url: '/v1/articles?limit=50', headers: admin })
  t.ok(list.json().data.length > 0)
  for (const article of list.json().data) t.same(article.seo, noSeo, article.slug)
})

async function send (app: FastifyInstance, t: Test, method: string, url: string, payload?: Record<string, unknown>, headers: Record<string, string> = admin) {
  return await request(app, t, { method, url, headers, ...(payload === undefined ? {} : { payload }) })
}

t.test('pages carry the same metadata: written, listed, filtered, left out of the sitemap, kept by revisions and the trash', async (t) => {
  const app = await build(t, { siteUrl: `${site}/` })
  const image = await uploaded(app, t, { name: 'card.jpg', data: await photo(800, 420) }, { alt: 'The newsroom' })
  const created = await send(app, t, 'POST', '/v1/pages', { title: 'About us', status: 'published', body: '<p>Who we are.</p>', seo: { description: 'Who makes the paper.', socialImage: image.id } })
  t.equal(created.statusCode, 201)
  const about = created.json()
  t.same({ ...about.seo, socialImage: about.seo.socialImage.id }, { ...noSeo, description: 'Who makes the paper.', socialImage: image.id })
  const hidden = (await send(app, t, 'POST', '/v1/pages', { title: 'Thank you', status: 'published', seo: { noindex: true } })).json()
  const plain = (await send(app, t, 'POST', '/v1/pages', { title: 'Contact', status: 'published' })).json()
  t.same(plain.seo, noSeo)

  const read = await send(app, t, 'GET', `/v1/pages/${about.slug}`, undefined, {})
  t.equal(read.json().seo.description, 'Who makes the paper.', 'readers see it')
  const slugs = async (url: string) => (await send(app, t, 'GET', url, undefined, {})).json().data.map((page: { slug: string }) => page.slug).sort()
  t.same(await slugs('/v1/pages?noindex=true'), [hidden.slug])
  t.same(await slugs('/v1/pages?noindex=false'), [about.slug, plain.slug].sort())
  const sitemap = (await send(app, t, 'GET', '/sitemap.xml', undefined, {})).body
  t.match(sitemap, about.slug)
  t.notMatch(sitemap, `/${hidden.slug}<`, 'a noindex page is left out of the sitemap')

  assertProblem(t, await send(app, t, 'PATCH', `/v1/pages/${about.id}`, { seo: { canonicalUrl: 'mailto:editor@example.org' } }), 400, 'validation', 'body.seo.canonicalUrl')
  const edited = await send(app, t, 'PATCH', `/v1/pages/${about.id}`, { seo: { description: null, title: 'About the Courier' } })
  t.equal(edited.statusCode, 200)
  t.same({ ...edited.json().seo, socialImage: edited.json().seo.socialImage.id }, { ...noSeo, title: 'About the Courier', socialImage: image.id }, 'a patch changes only what it names')
  const unchanged = await send(app, t, 'PATCH', `/v1/pages/${about.id}`, { seo: { title: 'About the Courier' } })
  t.equal(unchanged.headers.etag, edited.headers.etag, 'the same value again is no change: no new version')

  const revision = (await send(app, t, 'GET', `/v1/pages/${about.id}/revisions/1`)).json()
  t.same(revision.seo, { ...noSeo, description: 'Who makes the paper.', socialImage: image.id }, 'the revision keeps what it was, the image by id')
  const restored = await send(app, t, 'POST', `/v1/pages/${about.id}/revisions/1/restore`, undefined, { ...admin, 'if-match': String(edited.headers.etag) })
  t.equal(restored.statusCode, 200)
  t.same(restored.json().seo.description, 'Who makes the paper.')
  t.equal(restored.json().seo.title, null, 'every field of the revision comes back')

  const inUse = await send(app, t, 'DELETE', `/v1/media/${image.id}`)
  t.match(assertProblem(t, inUse, 409, 'conflict').detail, `page ${about.id} (social)`)

  const current = await send(app, t, 'GET', `/v1/pages/${about.id}`)
  t.equal((await send(app, t, 'DELETE', `/v1/pages/${about.id}`, undefined, { ...admin, 'if-match': String(current.headers.etag) })).statusCode, 204)
  const trashed = await send(app, t, 'GET', `/v1/trash/pages/${about.id}`)
  t.equal(trashed.json().seo.description, 'Who makes the paper.', 'the trash shows it')
  const back = await send(app, t, 'POST', `/v1/trash/pages/${about.id}/restore`, undefined, { ...admin, 'if-match': String(trashed.headers.etag) })
  t.equal(back.statusCode, 200)
  t.same({ ...back.json().seo, socialImage: back.json().seo.socialImage.id }, { ...noSeo, description: 'Who makes the paper.', socialImage: image.id }, 'and gives it back')

  const exported = await send(app, t, 'GET', '/v1/export')
  const pageLine = exported.body.trim().split('\n').map((line) => JSON.parse(line)).find((line) => line.type === 'page' && line.id === about.id)
  t.same(pageLine.seo, { ...noSeo, description: 'Who makes the paper.', socialImage: image.id })
  const fresh = await build(t)
  t.equal((await request(fresh, t, { method: 'POST', url: '/v1/import', headers: { ...admin, 'content-type': 'application/x-ndjson' }, payload: exported.body })).statusCode, 200)
  const copy = (await send(fresh, t, 'GET', `/v1/pages/${about.slug}`)).json()
  t.same({ ...copy.seo, socialImage: copy.seo.socialImage?.id }, { ...noSeo, description: 'Who makes the paper.', socialImage: image.id }, 'export → import keeps it')
})
