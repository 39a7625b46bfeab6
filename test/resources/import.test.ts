import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, checkAgainstDocument, request, tokenFor } from '../helper.js'

// POST /v1/import (issue 7) with the real export files of ../shared/fixtures: exact counts
// derived from the mapping guide (shared/import-formats.md) and the files themselves, then
// everything read back through the API. Re-imports, dry runs, atomicity, hostile files,
// access, size and media-type limits.

type Item = Record<string, any>

const problemBase = 'https://dateline.dev/problems/'

const fixture = (name: string): string => readFileSync(new URL(`../../../shared/fixtures/${name}`, import.meta.url), 'utf8')
const ghostFile = fixture('blogger-legacy-ghost-sample.xml')
const jjFile = fixture('blogger-legacy-jjsfavoritethings-2008.xml')
const wxr2025File = fixture('wxr-wordpress-com-2025.xml')
const themeFile = fixture('wxr-theme-unit-test-data.xml')

const ghostBlog = 'tag:blogger.com,1999:blog-95625624113551471720'
const jjBlog = 'tag:blogger.com,1999:blog-3113891067179933828'

// --- Requests ----------------------------------------------------------------------------

/**
 * The helper's `request()` for answers that may not be JSON (the NDJSON export, feeds): its
 * document check parses bodies as JSON, so a text body is handed to it as its text.
 */
async function requestText (app: FastifyInstance, t: Test, options: InjectOptions & { method: string, url: string }): Promise<LightMyRequestResponse> {
  const response = await app.inject(options)
  const isJson = /^application\/(?:[\w.-]+\+)?json\b/.test(String(response.headers['content-type'] ?? ''))
  checkAgainstDocument(app, t, options.method, options.url, isJson ? response : Object.assign(Object.create(response) as LightMyRequestResponse, { json: () => response.body }))
  return response
}

interface ImportOptions {
  query?: string
  /** A bearer secret; null sends no Authorization header. Default: the admin token. */
  secret?: string | null
  /** Default application/xml; null sends no Content-Type. */
  contentType?: string | null
}

async function postImport (app: FastifyInstance, t: Test, payload: string | Buffer | Readable, options: ImportOptions = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {}
  if (options.secret !== null) Object.assign(headers, bearer(options.secret ?? adminSecret))
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/xml'
  return request(app, t, { method: 'POST', url: `/v1/import${options.query === undefined ? '' : `?${options.query}`}`, headers, payload })
}

/** Imports a file that must succeed; returns the report. */
async function imported (app: FastifyInstance, t: Test, payload: string, options: ImportOptions = {}): Promise<Item> {
  const response = await postImport(app, t, payload, options)
  t.equal(response.statusCode, 200, 'the import answers 200', { body: response.body.slice(0, 2000) })
  return response.json()
}

/** The export's lines without its header (which carries the export time): the whole database. */
async function databaseLines (app: FastifyInstance, t: Test): Promise<string[]> {
  const response = await requestText(app, t, { method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })
  t.equal(response.statusCode, 200, 'the export answers 200')
  const lines = response.body.split('\n').filter((line) => line !== '')
  t.match(JSON.parse(lines[0] ?? '{}'), { type: 'header' }, 'the export starts with its header')
  return lines.slice(1)
}

async function get (app: FastifyInstance, t: Test, url: string, secret: string | null = adminSecret): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: secret === null ? {} : bearer(secret) })
}

async function getJson (app: FastifyInstance, t: Test, url: string, secret: string | null = adminSecret): Promise<Item> {
  const response = await get(app, t, url, secret)
  t.equal(response.statusCode, 200, `GET ${url}`, { body: response.body.slice(0, 500) })
  return response.json()
}

/** Every article (all statuses, as the admin), by slug. */
async function articlesBySlug (app: FastifyInstance, t: Test): Promise<Map<string, Item>> {
  const list = await getJson(app, t, '/v1/articles?limit=100')
  t.ok(list.meta.total <= 100, 'one page holds every article')
  return new Map(list.data.map((article: Item) => [article.slug, article]))
}

async function totals (app: FastifyInstance, t: Test): Promise<Record<string, number>> {
  return {
    articles: (await getJson(app, t, '/v1/articles?limit=1')).meta.total,
    authors: (await getJson(app, t, '/v1/authors?limit=1')).meta.total,
    comments: (await getJson(app, t, '/v1/comments?limit=1')).meta.total,
    labels: (await getJson(app, t, '/v1/labels?limit=1')).meta.total
  }
}

const counts = (created: number, updated = 0, unchanged = 0, skipped = 0) => ({ created, updated, unchanged, skipped })
const none = counts(0)

function assertMalformed (t: Test, response: LightMyRequestResponse, message?: RegExp): void {
  t.equal(response.statusCode, 400, 'answers 400', { body: response.body.slice(0, 1000) })
  t.match(String(response.headers['content-type']), /^application\/problem\+json/, 'as problem+json')
  if (response.statusCode !== 400) return
  const problem = response.json()
  t.match(problem, { type: `${problemBase}malformed-import`, status: 400, instance: '/v1/import' }, 'a malformed-import problem')
  t.match(problem.detail, /^The file cannot be imported: /, 'the detail says the file cannot be imported')
  t.equal(problem.errors?.[0]?.path, 'body', 'errors[0] names the body')
  if (message !== undefined) t.match(problem.errors?.[0]?.message, message, `the message says ${String(message)}`)
  const position = /\bline (\d+), column (\d+)/.exec(String(problem.errors?.[0]?.message))
  if (position !== null) t.ok(Number(position[1]) >= 1 && Number(position[2]) >= 1, `lines and columns count from 1 (${position[0]})`)
}

/** The line (1-based) on which `marker` starts in `text`. */
function lineOf (text: string, marker: string): number {
  const index = text.indexOf(marker)
  if (index < 0) throw new Error(`${marker} not found`)
  return text.slice(0, index).split('\n').length
}

// --- What a WXR file says, read here with regular expressions (independently of the app) ---

interface WxrPost {
  id: string
  title: string
  name: string
  status: string
  gmt: string
  password: string
  creator: string
  labels: string[]
}

function decodeXml (text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, entity: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }
    if (named[entity.toLowerCase()] !== undefined) return named[entity.toLowerCase()]!
    return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1)))
  })
}

/** An element's text in an item (the first one, CDATA unwrapped); '' when empty or absent. */
function fieldOf (block: string, tag: string): string {
  const match = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}>)`).exec(block)
  const raw = match?.[1] ?? ''
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(raw)
  return cdata !== null ? cdata[1]! : decodeXml(raw).trim()
}

function wxrPosts (text: string): WxrPost[] {
  const items = text.split('<item>').slice(1).map((chunk) => chunk.slice(0, chunk.indexOf('</item>')))
  return items.filter((item) => fieldOf(item, 'wp:post_type') === 'post').map((item) => {
    const head = item.split('<wp:comment>')[0]!
    const labels: string[] = []
    for (const match of head.matchAll(/<category domain="(category|post_tag)"[^>]*>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/category>/g)) {
      labels.push(match[2] ?? decodeXml(match[3] ?? ''))
    }
    return {
      id: fieldOf(head, 'wp:post_id'),
      title: fieldOf(head, 'title'),
      name: decodeURIComponent(fieldOf(head, 'wp:post_name')),
      status: fieldOf(head, 'wp:status'),
      gmt: fieldOf(head, 'wp:post_date_gmt'),
      password: fieldOf(head, 'wp:post_password'),
      creator: fieldOf(head, 'dc:creator'),
      labels
    }
  })
}

/** Labels as the API keeps them: trimmed, the first spelling of each (case-insensitively), every one. */
function apiLabels (names: string[]): string[] {
  const kept = new Map<string, string>()
  for (const name of names.map((label) => label.trim().replace(/\s+/g, ' ')).filter((label) => label !== '')) {
    if (!kept.has(name.toLowerCase())) kept.set(name.toLowerCase(), name)
  }
  return [...kept.values()]
}

const gmtIso = (gmt: string): string => `${gmt.replace(' ', 'T')}.000Z`

/**
 * What each post's labels read as once imported in file order: a label is one row whatever
 * its case, named as first imported (the theme data has "Markup" and "markup").
 */
/** The names of the channel's categories and tags, in file order: the first spelling of each label (they come before the posts). */
function channelTermNames (xml: string): string[] {
  return [...xml.matchAll(/<wp:(?:cat|tag)_name>\s*(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))\s*<\/wp:(?:cat|tag)_name>/g)].map((match) => (match[1] ?? match[2] ?? '').trim())
}

function importedLabels (posts: WxrPost[], termNames: string[]): Map<string, string[]> {
  const spelling = new Map<string, string>()
  for (const name of apiLabels(termNames)) spelling.set(name.toLowerCase(), name)
  const result = new Map<string, string[]>()
  for (const post of posts) {
    const labels = apiLabels(post.labels)
    for (const label of labels) if (!spelling.has(label.toLowerCase())) spelling.set(label.toLowerCase(), label)
    result.set(post.id, labels.map((label) => spelling.get(label.toLowerCase())!))
  }
  return result
}

/** The source text cut right after the item holding its `posts`-th post. */
function afterPosts (text: string, posts: number): string {
  let end = 0
  for (let seen = 0; seen < posts;) {
    const next = text.indexOf('</item>', end) + '</item>'.length
    if (/<wp:post_type>(?:<!\[CDATA\[)?post(?:\]\]>)?<\/wp:post_type>/.test(text.slice(end, next))) seen++
    end = next
  }
  return text.slice(0, end)
}

// --- Each fixture through the API ---------------------------------------------------------

t.test('the Ghost Blogger sample', async (t) => {
  const app = await build(t)

  await t.test('two posts and one author are imported; the duplicate atom:id is skipped with its reason', async (t) => {
    const report = await imported(app, t, ghostFile, { secret: await tokenFor(app, 'editor') })
    t.same(report, {
      format: 'blogger-legacy',
      dryRun: false,
      counts: { authors: counts(1), articles: counts(2, 0, 0, 1), comments: none, media: counts(1), days: none, redirects: none, pages: none },
      skipped: [{ resource: 'article', sourceId: `${ghostBlog}.post-91440665006443736824`, reason: 'duplicate source id in file' }],
      notes: [],
      settings: []
    }, 'the exact report: the second entry with an id already seen is skipped')

    const articles = await articlesBySlug(app, t)
    t.same([...articles.keys()].sort(), ['rhoncus', 'vestibulum'], 'slugs come from the alternate links')
    const authors = (await getJson(app, t, '/v1/authors')).data
    t.equal(authors.length, 1)
    t.match(authors[0], { name: 'My Old Blog', url: 'https://www.blogger.com/profile/34433122588827255699', avatarUrl: null, email: null },
      'one author, keyed by profile; the placeholder e-mail and the default avatar are dropped')
    t.match(articles.get('rhoncus'), {
      title: 'Rhoncus Published Post',
      status: 'published',
      publishedAt: '2018-09-12T13:30:00.001Z',
      date: '2018-09-12',
      labels: ['Lorem Ipsum'],
      authorId: authors[0].id,
      commentCount: 0
    }, 'the first entry with the id wins: the live post, its time in UTC')
    t.match(articles.get('vestibulum'), {
      title: 'Vestibulum Post With Image',
      status: 'published',
      publishedAt: '2017-09-20T15:46:00.001Z',
      labels: ['All Night Party', 'Dance'],
      commentCount: 0
    }, 'thr:total says 1, but no comment entry exists: the count is what was imported')
    t.notOk([...articles.values()].some((article) => article.title === 'Maecenas Draft Post'), 'the duplicate (the draft) is not imported')
    const body = articles.get('rhoncus')!.body as string
    t.notMatch(body, /&amp;nbsp;/, 'the escaped &amp;nbsp; is decoded once, not twice')
    t.match(body, /sed(&nbsp;|\u00a0)convallis/, 'and stays a no-break space')
  })

  await t.test('the draft, given an id of its own, is imported as a draft slugged from its title', async (t) => {
    const draftId = `${ghostBlog}.post-91440665006443736825`
    const marker = '<title type=\'text\'>Maecenas Draft Post</title>'
    const [before, after] = ghostFile.split(marker) as [string, string]
    const text = before.replace(/<id>[^<]*<\/id>(?![\s\S]*<id>)/, `<id>${draftId}</id>`) + marker + after
    t.equal(text.split(draftId).length, 2, 'only the draft got the new id')
    const report = await imported(app, t, text)
    t.same(report.counts, { authors: counts(0, 0, 1), articles: counts(1, 0, 2), comments: none, media: counts(0, 0, 1), days: none, redirects: none, pages: none }, 'the draft is created, the two posts and the thumbnail are unchanged')
    t.same(report.skipped, [])
    const draft = (await articlesBySlug(app, t)).get('maecenas-draft-post')
    t.match(draft, { title: 'Maecenas Draft Post', status: 'draft', publishedAt: null, date: null, labels: ['Lorem Ipsum'] }, 'app:draft=yes makes a draft')
    t.equal((await get(app, t, '/v1/articles/maecenas-draft-post', null)).statusCode, 404, 'which anonymous readers cannot see')
  })
})

t.test('the 2008 Blogger export', async (t) => {
  const app = await build(t)
  let aboutMe: Item = {}

  await t.test('4 posts, 3 comments, 1 author; settings and the template skipped, settings reported', async (t) => {
    const report = await imported(app, t, jjFile, { secret: await tokenFor(app, 'editor') })
    t.equal(report.format, 'blogger-legacy')
    t.same(report.counts, { authors: counts(1), articles: counts(4), comments: counts(3), media: none, days: none, redirects: none, pages: none }, 'exact counts: 7 of 55 entries are content')
    t.equal(report.skipped.length, 48, '47 settings and the template are listed as skipped')
    t.equal(report.skipped.filter((row: Item) => row.resource === 'setting' && row.reason === 'not content').length, 47, '47 settings: not content')
    t.same(report.skipped.filter((row: Item) => row.resource !== 'setting'), [{ resource: 'other', sourceId: `${jjBlog}.layout`, reason: 'not content' }], 'the template: not content')
    t.same([...report.settings].sort((a: Item, b: Item) => a.name.localeCompare(b.name)), [
      { name: 'locale', value: 'en' },
      { name: 'timezone', value: 'America/Los_Angeles' },
      { name: 'title', value: 'JJ\'s Favorite Things' }
    ], 'BLOG_TIME_ZONE, BLOG_LOCALE and BLOG_NAME are reported')
    t.equal((await get(app, t, '/v1/articles?limit=1', null)).json().meta.total, 4, 'no settings row became an article')
  })

  await t.test('articles, author, labels and comments read back through the API', async (t) => {
    const articles = await articlesBySlug(app, t)
    aboutMe = articles.get('about-me') ?? {}
    const [author] = (await getJson(app, t, '/v1/authors')).data
    t.match(author, { name: 'JJ', url: 'http://www.blogger.com/profile/03729555694632144017', email: 'jlueck@gmail.com' }, 'the one real e-mail is kept, privately')
    const expected = [
      ['somewhat-brief-history', 'A (somewhat) brief history', '2008-04-15T16:28:00.000Z', ['individual', 'Everything', 'Previously Unpublished'], 1],
      ['about-me', 'About Me', '2008-04-15T15:56:00.000Z', ['Already Published', 'Everything'], 0],
      ['rolling-in-hawaii', 'Rolling in Hawaii', '2008-04-15T16:36:00.000Z', ['Already Published', 'Everything'], 0],
      ['this-about-sums-up-my-life', 'This about sums up my life.', '2008-04-15T16:45:00.000Z', ['Everything', 'Previously Unpublished'], 2]
    ] as const
    t.same([...articles.keys()].sort(), expected.map(([slug]) => slug).sort(), 'four articles, slugs from the old permalinks')
    for (const [slug, title, publishedAt, labels, commentCount] of expected) {
      t.match(articles.get(slug), { title, status: 'published', publishedAt, date: '2008-04-15', labels, authorId: author.id, commentCount }, `${slug}: -07:00 converted to UTC, labels in file order`)
      t.notMatch(articles.get(slug)!.body, /<(object|embed|script)\b/i, `${slug}: <object>/<embed> are sanitised away`)
    }
    t.same((await getJson(app, t, '/v1/labels', null)).data.map((label: Item) => label.name).sort(), ['Already Published', 'Everything', 'Previously Unpublished', 'individual'].sort(), '4 distinct labels')

    const thread = await getJson(app, t, '/v1/articles/this-about-sums-up-my-life/comments', null)
    t.same(thread.data.map((comment: Item) => [comment.authorName, comment.createdAt, comment.status, comment.parentId]), [
      ['journalseditor @ aol', '2008-11-12T00:08:00.000Z', 'approved', null],
      ['JJ', '2008-11-12T00:10:00.000Z', 'approved', null]
    ], 'the comment at 16:10-08:00 is 2008-11-12T00:10:00.000Z; oldest first; approved and top level')
    t.equal(thread.data[0].authorUrl, 'http://www.blogger.com/profile/14651649569077291860', 'the commenter\'s profile is the authorUrl')
    const [nice] = (await getJson(app, t, '/v1/articles/somewhat-brief-history/comments', null)).data
    t.match(nice, { authorName: 'journalseditor @ aol', createdAt: '2008-11-12T00:09:00.000Z' })
    t.match(nice.body, /NICE/, 'the upper-case HTML comment keeps its text')
    t.notMatch(nice.body, /<[A-Z]/, 'and its tags come out lower-case (or are dropped)')
    const all = await getJson(app, t, '/v1/comments?limit=100')
    t.equal(all.meta.total, 3, 'three comments in the moderation list')
    t.ok(all.data.every((comment: Item) => comment.status === 'approved' && comment.authorEmail === null), 'all approved; the noreply@blogger.com placeholders are stored as null')
  })

  await t.test('importing it again changes nothing and reports every row unchanged', async (t) => {
    const before = await totals(app, t)
    const lines = await databaseLines(app, t)
    const again = await imported(app, t, jjFile)
    t.same(again.counts, { authors: counts(0, 0, 1), articles: counts(0, 0, 4), comments: counts(0, 0, 3), media: none, days: none, redirects: none, pages: none }, 'the second run: all unchanged')
    t.same(await totals(app, t), before, 'the lists\' totals are the same')
    t.same(await databaseLines(app, t), lines, 'and so is every row')
  })

  await t.test('a title edited in the file updates that article, under its old slug', async (t) => {
    const edited = jjFile.replace('<title type="text">About Me</title>', '<title type="text">About Me, revised</title>')
    t.not(edited, jjFile, 'the title was edited in the file')
    const report = await imported(app, t, edited)
    t.same(report.counts, { authors: counts(0, 0, 1), articles: counts(0, 1, 3), comments: counts(0, 0, 3), media: none, days: none, redirects: none, pages: none }, 'articles.updated = 1')
    const article = await getJson(app, t, `/v1/articles/${aboutMe.id}`, null)
    t.match(article, { id: aboutMe.id, slug: 'about-me', title: 'About Me, revised', publishedAt: aboutMe.publishedAt }, 'the article shows the new title under its old slug')
    t.equal((await getJson(app, t, '/v1/articles?limit=1')).meta.total, 4, 'no article was added')

    const commentEdited = edited.replace('<content type="html">I\'ll get that fixed soon.</content>', '<content type="html">I fixed it.</content>')
    t.not(commentEdited, edited, 'a comment was edited in the file')
    const third = await imported(app, t, commentEdited)
    t.same(third.counts.comments, counts(0, 1, 2), 'a changed comment is updated')
    const comments = (await getJson(app, t, '/v1/articles/this-about-sums-up-my-life/comments', null)).data
    t.equal(comments.length, 2)
    t.match(comments.map((comment: Item) => comment.body).join('\n'), /I fixed it\./, 'with its new text')
  })
})

t.test('the 2025 WordPress.com export', async (t) => {
  const app = await build(t)

  await t.test('a file that fails after its third post imports nothing from the first items', async (t) => {
    const head = afterPosts(wxr2025File, 3)
    t.equal(head.split('<item>').length - 1, 5, 'the cut is after the fifth item (page, post, styles, post, post)')
    const garbage = `${head}\n<<garbage>>\n`
    assertMalformed(t, await postImport(app, t, garbage), new RegExp(`^line ${lineOf(garbage, '<<garbage>>')}, column \\d+: `))
    t.same(await databaseLines(app, t), [
      '{"type":"setting","name":"timezone","value":"UTC"}',
      '{"type":"setting","name":"locale","value":"en-US"}'
    ], 'nothing from the first items (nor their author) is in the database')
    const truncated = `${head}\n    <item>\n      <title>Cut off in the middle`
    assertMalformed(t, await postImport(app, t, truncated), /line \d+, column \d+: unexpected end of file/)
    t.match(await totals(app, t), { articles: 0, authors: 0, labels: 0 }, 'a truncated file imports nothing either')
  })

  await t.test('7 posts by 1 author, 6 images and a page; styles and navigation skipped', async (t) => {
    const report = await imported(app, t, wxr2025File, { contentType: 'application/rss+xml' })
    t.equal(report.format, 'wxr')
    t.same(report.counts, { authors: counts(1), articles: counts(7), comments: none, media: counts(6), days: none, redirects: none, pages: counts(1) }, 'exact counts')
    t.same(report.skipped.map((row: Item) => `${row.resource}: ${row.reason}`).sort(), [
      'other: post type wp_global_styles', 'other: post type wp_navigation'
    ], 'two items skipped, each with its reason (the page is imported)')
    t.same([...report.settings].sort((a: Item, b: Item) => a.name.localeCompare(b.name)), [
      { name: 'locale', value: 'en' },
      { name: 'title', value: 'My Site Title' },
      { name: 'url', value: 'https://jekyllbot.wordpress.com' }
    ], 'the channel\'s title, language and address are reported')

    const [author] = (await getJson(app, t, '/v1/authors')).data
    t.match(author, { name: 'jekyllbot', slug: 'jekyllbot', email: 'jekyllbot@gmail.com' }, 'the wp:author, slugged by login')
    const articles = await articlesBySlug(app, t)
    const posts = wxrPosts(wxr2025File)
    t.equal(posts.length, 7)
    for (const post of posts) {
      t.match(articles.get(post.name), { title: post.title, status: 'published', publishedAt: gmtIso(post.gmt), labels: apiLabels(post.labels), authorId: author.id }, `post ${post.id}: slug, GMT time (not the local post_date), labels`)
    }
    t.equal(articles.get('the-art-of-connection')?.publishedAt, '2025-01-19T02:26:26.000Z', 'post_date 18:26:26 local is 02:26:26 UTC the next day')
    t.same(articles.get('blog-post-1')?.labels, ['code', 'Foo', 'ruby', 'ship', 'stars'], 'categories and tags, in file order')
    t.match(articles.get('the-art-of-connection')?.excerpt, /^In the ever-evolving world, the art of forging genuine connections remains timeless\. Whether it’s with/, 'the excerpt:encoded is the excerpt, curly quote intact')
    for (const article of articles.values()) t.notMatch(article.body, /<!--/, `${article.slug}: Gutenberg block comments are dropped`)
  })
})

t.test('the WordPress theme unit test data', async (t) => {
  const app = await build(t)
  // The 33 comment_author_IP fields are empty: give each an address, for the privacy checks.
  let n = 0
  const themeWithAddresses = themeFile.replace(/<wp:comment_author_IP><\/wp:comment_author_IP>/g, () => {
    n++
    return `<wp:comment_author_IP>${n % 2 === 0 ? `198.51.100.${n}` : `2001:db8::${n.toString(16)}:7`}</wp:comment_author_IP>`
  })
  // 58 posts and 21 pages; the 2 listed authors and the default one for ">themereviewteam"; 33 comments, of
  // which 5 are on pages and 4 are pings; 37 attachments, of which a video and a sound are
  // not images; no day records in WXR.
  const expectedCounts = { authors: counts(3), articles: counts(58), comments: counts(24, 0, 0, 9), media: counts(35, 0, 0, 2), days: none, redirects: none, pages: counts(21) }
  const reports: Item[] = []

  await t.test('a dry run reports what the import would do and writes nothing', async (t) => {
    const before = await databaseLines(app, t)
    const dry = await imported(app, t, themeFile, { query: 'dryRun=true' })
    reports.push(dry)
    t.equal(dry.dryRun, true)
    t.same(dry.counts, expectedCounts, 'the counts of a real import')
    t.same(await databaseLines(app, t), before, 'the database is unchanged')
  })

  await t.test('the import: exact counts, and every skipped row with its reason', async (t) => {
    const report = await imported(app, t, themeFile, { query: 'dryRun=false' })
    reports.push(report)
    t.equal(report.format, 'wxr')
    t.equal(report.dryRun, false)
    t.same(report.counts, expectedCounts, 'exact counts, as the dry run said')
    const reasons: Record<string, number> = {}
    for (const row of report.skipped) reasons[`${row.resource}: ${row.reason}`] = (reasons[`${row.resource}: ${row.reason}`] ?? 0) + 1
    t.same(reasons, {
      'media: not an image the library takes (.mov)': 1,
      'media: not an image the library takes (.mp3)': 1,
      'other: post type nav_menu_item': 70,
      'comment: its article was skipped (page)': 5,
      'comment: pingback/trackback': 4
    }, 'every skipped row with its reason')
    const notes = report.notes.map((note: Item) => `${note.sourceId}: ${note.note}`)
    t.ok(notes.some((note: string) => /^1168: password-protected/.test(note)), 'the password-protected post is noted')
    t.ok(notes.some((note: string) => /^1241: sticky/.test(note)), 'the sticky post is noted')
    t.ok(notes.some((note: string) => /^1730: .*>themereviewteam/.test(note)), 'the unknown creator is noted')
  })

  await t.test('authors, and every post\'s status, time, labels and author', async (t) => {
    const authors = (await getJson(app, t, '/v1/authors')).data
    t.same(authors.map((author: Item) => [author.slug, author.name, author.email]).sort(), [
      ['imported', 'Imported', null],
      ['themedemos', 'Theme Buster', 'themeshaperwp+demos@gmail.com'],
      ['themereviewteam', 'Theme Reviewer', 'themereviewteam@gmail.com']
    ], 'the two listed authors by login, and the default author')
    const authorIdBySlug = new Map(authors.map((author: Item) => [author.slug, author.id]))
    const articles = await articlesBySlug(app, t)
    t.equal(articles.size, 58)
    const byStatus: Record<string, number> = {}
    for (const article of articles.values()) byStatus[article.status] = (byStatus[article.status] ?? 0) + 1
    t.same(byStatus, { published: 55, draft: 2, scheduled: 1 }, 'future → scheduled; the draft and the password-protected post → draft')

    const posts = wxrPosts(themeFile)
    const labels = importedLabels(posts, channelTermNames(themeFile))
    for (const post of posts) {
      const slug = post.name !== '' ? post.name : 'draft'
      const article = articles.get(slug)
      if (article === undefined) {
        t.fail(`post ${post.id} (${slug}) was not imported`)
        continue
      }
      const draft = post.status === 'draft' || post.password !== ''
      t.match(article, {
        status: draft ? 'draft' : post.status === 'future' ? 'scheduled' : 'published',
        publishedAt: draft ? null : gmtIso(post.gmt),
        labels: labels.get(post.id),
        authorId: authorIdBySlug.get(post.creator === '>themereviewteam' ? 'imported' : post.creator)
      }, `post ${post.id} (${slug}): status, GMT time, every label, author`)
    }
    const manyTags = posts.find((post) => post.title === 'Edge Case: Many Tags')!
    t.equal(manyTags.labels.length, 47, 'the source post has 47 categories and tags')
    t.same(articles.get('edge-case-many-tags')?.labels, labels.get(manyTags.id), '"Edge Case: Many Tags" keeps all of them, in file order')
    t.notOk(reports.at(-1)!.notes.some((note: Item) => note.resource === 'article' && /label/.test(note.note)), 'no label is left out')
    t.match(articles.get('scheduled'), { status: 'scheduled', publishedAt: '2030-01-01T19:00:18.000Z' })
    t.equal((await get(app, t, '/v1/articles/scheduled', null)).statusCode, 404, 'the scheduled post is not public yet')
    t.match(articles.get('draft'), { title: 'Draft', status: 'draft', publishedAt: null }, 'the draft without post_name is slugged from its title')
    t.equal(articles.get('markup-title-with-markup')?.title, 'Markup: Title With Markup', 'HTML in a title is stripped to text')
    t.equal(articles.get('title-with-special-characters')?.title, 'Markup: Title With Special Characters ~`!@#$%^&*()-_=+{}[]/\\;:\'"?,.>', 'entities in a title are decoded once')
    t.match(articles.get('edge-case-no-title')?.title, /^This post has no title/, 'an empty title is derived from the body')
    t.equal(articles.get('edge-case-no-content')?.body, '', 'an empty body stays empty')
  })

  await t.test('comments: a thread nested 9 replies deep, statuses, no pings', async (t) => {
    const thread = await getJson(app, t, '/v1/articles/template-comments/comments/thread?limit=100', null)
    const depth = (nodes: Item[]): number => nodes.length === 0 ? 0 : 1 + Math.max(...nodes.map((node) => depth(node.replies)))
    t.equal(thread.meta.total, 10, 'ten top-level approved comments')
    t.equal(depth(thread.data), 10, 'a top-level comment with replies nested 9 deep')
    const chain: Item[] = []
    for (let node = thread.data.find((comment: Item) => comment.replies.length > 0); node !== undefined; node = node.replies[0]) chain.push(node)
    t.same(chain.map((comment) => comment.authorName), ['John Κώστας Doe Τάδε', 'Jane Bloggs', 'Fred Bloggs', 'Fred Bloggs', 'themedemos', 'Jane Bloggs', 'Joe Bloggs', 'Jane Bloggs', 'Joe Bloggs', 'themedemos'], 'the chain 904 → 905 → … → 915, Greek names intact')
    t.equal(chain.at(-1)?.createdAt, '2013-03-14T15:14:47.000Z', 'comment times come from comment_date_gmt')
    const article = await getJson(app, t, '/v1/articles/template-comments', null)
    t.equal(article.commentCount, 19, 'commentCount counts the 19 approved comments')
    const pending = await getJson(app, t, '/v1/comments?status=pending&limit=100')
    t.same(pending.data.map((comment: Item) => [comment.authorName, comment.articleId]), [['auser', article.id]], 'the one pending comment on a post (comment_approved 0)')
    t.equal((await getJson(app, t, '/v1/comments?status=approved&limit=100')).meta.total, 23, 'the other 23 are approved')
    const pings = await getJson(app, t, '/v1/articles/template-pingbacks-an-trackbacks/comments', null)
    t.same(pings.data.map((comment: Item) => comment.authorName), ['John Doe'], 'pingbacks and trackbacks are not comments')
  })

  await t.test('importing it again (a dry run, then for real) changes nothing and reports every row unchanged', async (t) => {
    const before = await totals(app, t)
    const lines = await databaseLines(app, t)
    // The two authors of the file and "Imported" (for the posts naming neither): three, as the first run created.
    const unchanged = { authors: counts(0, 0, 3), articles: counts(0, 0, 58), comments: counts(0, 0, 24, 9), media: counts(0, 0, 35, 2), days: none, redirects: none, pages: counts(0, 0, 21) }
    const dry = await imported(app, t, themeFile, { query: 'dryRun=true' })
    t.same(dry.counts, unchanged, 'a dry re-import says all unchanged')
    const again = await imported(app, t, themeWithAddresses)
    reports.push(again)
    t.same(again.counts, unchanged, 'the second run: all unchanged (IP addresses are no part of a row)')
    t.same(await totals(app, t), before, 'the lists\' totals are the same')
    t.same(await databaseLines(app, t), lines, 'and so is every row')
  })

  await t.test('no e-mail or IP address from the files reaches an import report or an anonymous reader', async (t) => {
    for (const file of [ghostFile, jjFile, wxr2025File]) reports.push(await imported(app, t, file))
    const everything = [ghostFile, jjFile, wxr2025File, themeWithAddresses].join('\n')
    const emails = [...new Set(everything.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? [])]
    const addresses = [...new Set([...everything.matchAll(/<wp:comment_author_IP>(?:<!\[CDATA\[)?([^<\]]+)/g)].map((match) => match[1]!))]
    t.ok(emails.length >= 10 && emails.includes('jlueck@gmail.com'), `${emails.length} e-mail addresses in the files`)
    t.equal(addresses.length, 33, '33 IP addresses in the files')
    const secrets = [...emails, ...addresses]
    const leaks: string[] = []
    const scan = (where: string, text: string): void => {
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where}: ${secret}`)
    }
    for (const report of reports) scan('an import report', JSON.stringify(report))

    const urls = ['/v1/articles?limit=100&include=author', '/v1/authors?limit=100&include=articles', '/v1/labels?limit=100', '/v1/dates?limit=100&include=articles', '/v1/archive', '/feed.json', '/feed.atom', '/feed.rss', '/sitemap.xml']
    const list = await getJson(app, t, '/v1/articles?limit=100', null)
    t.equal(list.meta.total, 68, 'the 68 published articles of the four files are public')
    for (const article of list.data) {
      urls.push(`/v1/articles/${article.slug}?include=author,comments`)
      if (article.commentCount > 0) urls.push(`/v1/articles/${article.id}/comments/thread?limit=100`)
    }
    for (const author of (await getJson(app, t, '/v1/authors?limit=100', null)).data) urls.push(`/v1/authors/${author.slug}`)
    for (const url of urls) {
      const response = await requestText(app, t, { method: 'GET', url })
      if (response.statusCode !== 200) t.fail(`GET ${url} answered ${response.statusCode}`)
      scan(`GET ${url}`, response.body)
    }
    t.same(leaks, [], `none of ${secrets.length} secrets in ${reports.length} reports or ${urls.length} anonymous answers`)
    const exported = (await databaseLines(app, t)).join('\n')
    t.same(addresses.filter((address) => exported.includes(address)), [], 'commenters\' IP addresses are not even stored')
  })
})

// --- Hostile files, access, limits --------------------------------------------------------

const wxrHead = '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_blog_url>https://hostile.example</wp:base_blog_url>\n'
const wxrItem = (title: string, extra = ''): string => `<item><title>${title}</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt>${extra}</item>\n`
const wxrTail = '</channel>\n</rss>\n'
const withDoctype = (doctype: string): string => `<?xml version="1.0"?>\n${doctype}\n${wxrHead.split('\n').slice(1).join('\n')}`
const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('\n')
const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 73 + 41) % 256))

interface Hostile {
  name: string
  body: string | Buffer
  contentType?: string
  query?: string
  message?: RegExp
}

const hostiles: Hostile[] = [
  { name: 'a DOCTYPE with nested entities (billion laughs)', body: `${withDoctype(`<!DOCTYPE rss [\n${lol}\n]>`)}${wxrItem('&lol9;')}${wxrTail}`, message: /^line 2, column 1: .*DOCTYPE/ },
  { name: 'billion laughs with the format forced', body: `${withDoctype(`<!DOCTYPE rss [\n${lol}\n]>`)}${wxrItem('&lol9;')}${wxrTail}`, query: 'format=wxr', message: /DOCTYPE/ },
  { name: 'an external entity (XXE)', body: `${withDoctype('<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>')}${wxrItem('&xxe;')}${wxrTail}`, message: /DOCTYPE/ },
  { name: 'an XXE in a Blogger feed, format forced', body: '<?xml version="1.0"?>\n<!DOCTYPE feed [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:blogger.com,1999:blog-1</id><entry><id>tag:blogger.com,1999:blog-1.post-2</id><title>&xxe;</title></entry></feed>', query: 'format=blogger-legacy', message: /DOCTYPE/ },
  { name: 'a bare &', body: `${wxrHead}${wxrItem('AT&T wins')}${wxrTail}`, message: new RegExp(`^line ${wxrHead.split('\n').length}, column \\d+: .*&`) },
  { name: 'an undefined entity', body: `${wxrHead}${wxrItem('caf&eacute;')}${wxrTail}` },
  { name: 'a truncated Blogger export', body: jjFile.slice(0, Math.floor(jjFile.length / 2)), message: /unexpected end of file/ },
  { name: 'elements nested 1,000 deep', body: `${wxrHead}${wxrItem('Deep', `${'<x>'.repeat(1000)}${'</x>'.repeat(1000)}`)}${wxrTail}`, message: /nested/ },
  { name: 'a JSON line nested 100 deep', body: `{"type":"header","format":"dateline","version":1,"exportedAt":"2026-01-01T00:00:00.000Z","counts":{}}\n{"type":"setting","name":"x","value":${'['.repeat(100)}${']'.repeat(100)}}\n`, contentType: 'application/x-ndjson', message: /^line 2, column 1: / },
  { name: 'an empty body', body: '', message: /empty/ },
  { name: 'whitespace only', body: '  \n\t\n', message: /empty/ },
  { name: 'binary garbage', body: binary },
  { name: 'binary garbage behind an XML start', body: Buffer.concat([Buffer.from('<?xml version="1.0"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'), binary]) },
  { name: 'binary garbage as JSON', body: binary, contentType: 'application/json' },
  { name: 'a JSON object that is neither format', body: '{"posts":[{"title":"Hello","body":"World"}]}', contentType: 'application/json', message: /unrecognised format/ },
  { name: 'a JSON array that is neither format', body: '[{"title":"Hello"}]', contentType: 'application/json', message: /Blogger/ },
  { name: 'a JSON Feed', body: '{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[]}', contentType: 'application/json' },
  { name: 'NDJSON without the Dateline header', body: '{"type":"article","id":1}\n{"type":"author","id":1}\n', contentType: 'application/x-ndjson' },
  { name: 'a plain RSS feed', body: '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>y</title></item></channel></rss>', contentType: 'application/rss+xml' },
  { name: 'a WXR file forced to read as NDJSON', body: `${wxrHead}${wxrItem('x')}${wxrTail}`, query: 'format=ndjson', message: /^line 1, column 1: / },
  { name: 'a Blogger file forced to read as WXR', body: ghostFile, query: 'format=wxr', message: /not a WordPress export/ }
]

t.test('hostile and broken files, access, media types and parameters', async (t) => {
  const app = await build(t)
  await imported(app, t, jjFile)
  const before = await databaseLines(app, t)

  await t.test('hostile and broken files are a 400 problem naming the body, never a 5xx, and change nothing', async (t) => {
    for (const hostile of hostiles) {
      await t.test(hostile.name, async (t) => {
        const response = await postImport(app, t, hostile.body, { contentType: hostile.contentType ?? 'application/xml', ...(hostile.query === undefined ? {} : { query: hostile.query }) })
        t.ok(response.statusCode < 500, 'not a 5xx')
        assertMalformed(t, response, hostile.message)
        t.notMatch(response.body, /root:x?:0:0|lollollol/, 'nothing expanded or read from the disk reaches the answer')
        t.same(await databaseLines(app, t), before, 'the database is unchanged')
      })
    }
  })

  await t.test('a POST with neither a body nor a media type is refused with a problem, not a 5xx', async (t) => {
    const response = await request(app, t, { method: 'POST', url: '/v1/import', headers: bearer(adminSecret) })
    t.ok([400, 415].includes(response.statusCode), `answers 400 or 415 (got ${response.statusCode})`, { body: response.body })
    t.match(String(response.headers['content-type']), /^application\/problem\+json/)
    t.same(await databaseLines(app, t), before, 'the database is unchanged')
  })

  await t.test('importing needs an editor: anonymous 401, a bad token 401, an author 403', async (t) => {
    const [author] = (await getJson(app, t, '/v1/authors')).data
    const anonymous = await postImport(app, t, ghostFile, { secret: null })
    t.equal(anonymous.statusCode, 401)
    t.match(anonymous.json(), { type: `${problemBase}unauthorized`, status: 401 })
    t.match(String(anonymous.headers['www-authenticate']), /^Bearer\b/)
    t.equal((await postImport(app, t, ghostFile, { secret: 'dl_not-a-real-token' })).statusCode, 401, 'a bad token is a 401')
    const forbidden = await postImport(app, t, ghostFile, { secret: await tokenFor(app, 'author', author.id) })
    t.equal(forbidden.statusCode, 403, 'an author token is a 403')
    t.match(forbidden.json(), { type: `${problemBase}forbidden`, status: 403 })
    t.same(await databaseLines(app, t), before, 'nothing was imported by those')
  })

  await t.test('other media types are a 415', async (t) => {
    for (const contentType of ['text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'text/html']) {
      const response = await postImport(app, t, ghostFile, { contentType })
      t.equal(response.statusCode, 415, `${contentType}: 415`)
      t.match(response.json(), { type: `${problemBase}unsupported-media-type`, status: 415 })
    }
    for (const contentType of ['text/xml', 'application/atom+xml', 'application/xml; charset=utf-8']) {
      t.equal((await postImport(app, t, ghostFile, { contentType, query: 'dryRun=true' })).statusCode, 200, `${contentType} is accepted`)
    }
    t.same(await databaseLines(app, t), before, 'nothing was imported')
  })

  await t.test('an unknown query parameter, a bad format and a bad dryRun are 400s naming the parameter', async (t) => {
    for (const [query, path] of [['dryrun=true', 'querystring.dryrun'], ['format=atom', 'querystring.format'], ['format=', 'querystring.format'], ['dryRun=maybe', 'querystring.dryRun']] as const) {
      const response = await postImport(app, t, ghostFile, { query })
      t.equal(response.statusCode, 400, `?${query}: 400`)
      t.match(response.json(), { type: `${problemBase}validation`, status: 400, errors: [{ path }] }, `names ${path}`)
    }
    t.same(await databaseLines(app, t), before, 'nothing was imported')
  })

  await t.test('an editor and an admin import', async (t) => {
    const editor = await imported(app, t, ghostFile, { secret: await tokenFor(app, 'editor'), query: 'format=blogger-legacy' })
    t.equal(editor.format, 'blogger-legacy', 'the format given is used')
    t.equal((await getJson(app, t, '/v1/articles?limit=1')).meta.total, 6, 'an editor imports')
    await imported(app, t, wxr2025File, { secret: adminSecret })
    t.equal((await getJson(app, t, '/v1/articles?limit=1')).meta.total, 13, 'an admin imports')
  })

  await t.test('values the API itself would refuse (non-http URLs, e-mails without a domain, a long bio) break no read', async (t) => {
    const wxr = `${wxrHead}<wp:author><wp:author_login>admin</wp:author_login><wp:author_email>admin@localhost</wp:author_email><wp:author_display_name>Site Admin</wp:author_display_name></wp:author>\n` +
      '<item><title>Odd values</title><dc:creator>admin</dc:creator><wp:post_id>77</wp:post_id><wp:post_name>odd-values</wp:post_name><wp:post_type>post</wp:post_type><wp:status>publish</wp:status><wp:post_date_gmt>2020-01-01 00:00:00</wp:post_date_gmt><content:encoded>Body.</content:encoded>' +
      '<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Script kiddie</wp:comment_author><wp:comment_author_url>javascript:alert(1)</wp:comment_author_url><wp:comment_author_email>Reader &lt;reader@example.org&gt;</wp:comment_author_email><wp:comment_date_gmt>2020-01-02 00:00:00</wp:comment_date_gmt><wp:comment_content>Hi</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>' +
      '<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>Lazy typist</wp:comment_author><wp:comment_author_url>www.example.com</wp:comment_author_url><wp:comment_date_gmt>2020-01-03 00:00:00</wp:comment_date_gmt><wp:comment_content>Hello</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment></item>\n' + wxrTail
    const blogger = "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0' xmlns:gd='http://schemas.google.com/g/2005'><id>tag:blogger.com,1999:blog-77</id><generator>Blogger</generator>" +
      "<entry><id>tag:blogger.com,1999:blog-77.post-1</id><published>2011-05-11T19:46:00.000-07:00</published><category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/><title>Odd Blogger</title><content type='html'>x</content><link rel='alternate' type='text/html' href='https://odd.blogspot.com/2011/05/odd-blogger.html'/>" +
      "<author><name>Evil Profile</name><uri>javascript:alert(2)</uri><gd:image rel='http://schemas.google.com/g/2005#thumbnail' src='javascript:alert(3)'/></author></entry>" +
      "<entry><id>tag:blogger.com,1999:blog-77.post-2</id><published>2011-05-12T10:00:00.000-07:00</published><category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#comment'/><content type='html'>Nice</content><author><name>Old School</name><uri>ftp://files.example/me</uri></author><thr:in-reply-to ref='tag:blogger.com,1999:blog-77.post-1'/></entry></feed>"
    const at = '2026-01-01T00:00:00.000Z'
    const ndjson = [
      `{"type":"header","format":"dateline","version":1,"exportedAt":"${at}","counts":{}}`,
      JSON.stringify({ type: 'author', id: 500, slug: 'odd-author', name: 'Odd Author', bio: 'b'.repeat(6000), avatarUrl: 'data:image/png;base64,AAAA', url: 'javascript:alert(4)', email: 'root@localhost', createdAt: at, updatedAt: at }),
      JSON.stringify({ type: 'article', id: 500, slug: 'odd-ndjson', title: 'Odd NDJSON', body: '<p>x</p>', excerpt: 'e'.repeat(1500), status: 'published', publishedAt: at, authorId: 500, labels: [], createdAt: at, updatedAt: at }),
      JSON.stringify({ type: 'comment', id: 500, articleId: 500, parentId: null, authorName: 'N', authorUrl: 'javascript:alert(5)', authorEmail: 'nobody', body: '<p>x</p>', status: 'approved', createdAt: at, updatedAt: at })
    ].join('\n')
    await imported(app, t, wxr)
    await imported(app, t, blogger)
    await imported(app, t, ndjson, { contentType: 'application/x-ndjson' })
    const urls = ['/v1/authors?limit=100', '/v1/authors/admin', '/v1/authors/evil-profile', '/v1/authors/odd-author']
    for (const slug of ['odd-values', 'odd-blogger', 'odd-ndjson']) urls.push(`/v1/articles/${slug}/comments?limit=100`, `/v1/articles/${slug}?include=author,comments`)
    for (const url of urls) {
      for (const secret of [null, adminSecret]) {
        const response = await get(app, t, url, secret)
        t.equal(response.statusCode, 200, `GET ${url} ${secret === null ? 'anonymously' : 'as the admin'}: 200`, { body: response.body.slice(0, 300) })
        t.notMatch(response.body, /javascript:|data:image/, 'no script or data URL is served')
      }
    }
    t.equal((await get(app, t, '/v1/comments?limit=100')).statusCode, 200, 'the moderation list still reads')
  })
})

t.test('a file above importLimit is a 413, with a Content-Length and when streamed without one', async (t) => {
  const size = Buffer.byteLength(ghostFile)
  const app = await build(t, { importLimit: size })
  const declared = await postImport(app, t, `${ghostFile}\n`)
  t.equal(declared.statusCode, 413, 'one byte over the limit, declared: 413')
  t.match(declared.json(), { type: `${problemBase}body-too-large`, status: 413, instance: '/v1/import' })
  const chunks = (wxr2025File.match(/[\s\S]{1,1000}/g) ?? []).map((chunk) => Buffer.from(chunk))
  const streamed = await postImport(app, t, Readable.from(chunks))
  t.equal(streamed.statusCode, 413, 'a stream without Content-Length is stopped at the limit: 413')
  t.match(streamed.json(), { type: `${problemBase}body-too-large`, status: 413 })
  t.match(await totals(app, t), { articles: 0, authors: 0 }, 'nothing of either was imported')

  const streamedSmall = await postImport(app, t, Readable.from([Buffer.from(ghostFile)]), { query: 'dryRun=true' })
  t.equal(streamedSmall.statusCode, 200, 'a stream under the limit is read')
  const exact = await postImport(app, t, ghostFile)
  t.equal(exact.statusCode, 200, 'a file of exactly the limit is imported')
  t.match(await totals(app, t), { articles: 2, authors: 1 })
})

t.test('imported articles are searchable once the import commits, updated ones by their new words only, and a dry run indexes nothing', async (t) => {
  const source = await build(t)
  const author = (await request(source, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Ivo Index' } })).json()
  await request(source, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Quoxalent findings', body: '<p>The quoxalent survey is out.</p>', authorId: author.id, status: 'published' } })
  const exported = (await requestText(source, t, { method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })).body

  const app = await build(t)
  const search = async (word: string): Promise<number> => (await request(app, t, { method: 'GET', url: `/v1/articles?q=${word}` })).json().meta.total
  await imported(app, t, exported, { contentType: 'application/x-ndjson', query: 'dryRun=true' })
  t.equal(await search('quoxalent'), 0, 'a dry run leaves the index as it was')
  t.match((await imported(app, t, exported, { contentType: 'application/x-ndjson' })).counts.articles, { created: 1 })
  t.equal(await search('quoxalent'), 1, 'found by a word of its body')
  t.equal(await search('quox'), 1, 'and by a prefix')

  const changed = exported.replace(/quoxalent/gi, 'brintelfy').replace(/"updatedAt":"[^"]+"/g, '"updatedAt":"2031-01-01T00:00:00.000Z"')
  t.match((await imported(app, t, changed, { contentType: 'application/x-ndjson' })).counts.articles, { updated: 1 })
  t.equal(await search('brintelfy'), 1, 'the new words are found')
  t.equal(await search('quoxalent'), 0, 'the old ones no longer')
})

t.test('an import\'s Idempotency-Key is matched on the file\'s content, not its length', async (t) => {
  const app = await build(t)
  const sameLength = ghostFile.replace('Rhoncus Published Post', 'Rhoncus Published Pest')
  t.equal(Buffer.byteLength(sameLength), Buffer.byteLength(ghostFile), 'two files of the same size')
  const send = (file: string | Readable) => request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/xml', 'idempotency-key': 'import-digest-0f8a3c' }, payload: file })
  const first = await send(ghostFile)
  t.equal(first.statusCode, 200)
  const other = await send(sameLength)
  t.equal(other.statusCode, 422, 'another file with the same key is refused, not answered with the first report')
  t.equal(other.json().type, `${problemBase}idempotency-key-reused`)
  t.notOk((await articlesBySlug(app, t)).has('rhoncus-published-pest'), 'and not imported')
  const streamed = await send(Readable.from([ghostFile.slice(0, 1000), ghostFile.slice(1000)]))
  t.equal(streamed.statusCode, 200, 'the same file again, sent in chunks without a length, is a replay')
  t.equal(streamed.headers['idempotent-replayed'], 'true')
  t.same(streamed.json(), first.json())
})

t.test('imported plain text loses the control characters the API refuses, and blank names fall back', async (t) => {
  const app = await build(t)
  const posts = [{
    kind: 'blogger#post',
    id: '5100000000000000009',
    blog: { id: '4967929378133675647' },
    published: '2016-03-01T10:00:00+00:00',
    url: 'https://hilltop-radio.blogspot.com/2016/03/controls.html',
    title: 'Bell\u0000 rings\u0007 \u009b twice',
    content: '<p>Body.</p>',
    author: { id: '11111111111111111111', displayName: '\u200B\u0001' },
    labels: ['Tower\u001b[31m', '\u0002']
  }]
  await imported(app, t, JSON.stringify(posts), { contentType: 'application/json' })
  const article = (await get(app, t, '/v1/articles/controls')).json()
  t.equal(article.title, 'Bell rings twice')
  t.same(article.labels, ['Tower[31m'], 'a label of only controls is dropped')
  t.equal((await get(app, t, `/v1/authors/${article.authorId}`)).json().name, 'Unknown author', 'a name with nothing visible falls back')
})
