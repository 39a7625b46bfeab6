import { readFileSync } from 'node:fs'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, checkAgainstDocument, createArticle, request, tokenFor } from '../helper.js'

// GET /v1/export (issue 7): Dateline's NDJSON export, its access rule, its lines, and the
// round trip through POST /v1/import (export → import into an empty database → export).

type Item = Record<string, any>

const problemBase = 'https://dateline.dev/problems/'
const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const themeFile = readFileSync(new URL('../../../shared/fixtures/wxr-theme-unit-test-data.xml', import.meta.url), 'utf8')

/**
 * The helper's `request()` for answers that may not be JSON: its document check parses
 * bodies as JSON, so the NDJSON text is handed to it as its text.
 */
async function requestText (app: FastifyInstance, t: Test, options: InjectOptions & { method: string, url: string }): Promise<LightMyRequestResponse> {
  const response = await app.inject(options)
  const isJson = /^application\/(?:[\w.-]+\+)?json\b/.test(String(response.headers['content-type'] ?? ''))
  checkAgainstDocument(app, t, options.method, options.url, isJson ? response : Object.assign(Object.create(response) as LightMyRequestResponse, { json: () => response.body }))
  return response
}

async function exportOf (app: FastifyInstance, t: Test, secret = adminSecret): Promise<LightMyRequestResponse> {
  return requestText(app, t, { method: 'GET', url: '/v1/export', headers: bearer(secret) })
}

/** The export's lines, parsed. */
async function exported (app: FastifyInstance, t: Test): Promise<{ text: string, lines: Item[] }> {
  const response = await exportOf(app, t)
  t.equal(response.statusCode, 200, 'the export answers 200')
  const text = response.body
  t.ok(text.endsWith('\n'), 'every line ends with a newline')
  return { text, lines: text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Item) }
}

/** The export as text lines, the header's exportedAt blanked (the one thing allowed to differ). */
function comparable (text: string): string[] {
  const lines = text.split('\n').filter((line) => line !== '')
  const header = JSON.parse(lines[0]!) as Item
  return [JSON.stringify({ ...header, exportedAt: '(export time)' }), ...lines.slice(1)]
}

async function importNdjson (app: FastifyInstance, t: Test, text: string, query = ''): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'POST', url: `/v1/import${query}`, headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: text })
}

async function getJson (app: FastifyInstance, t: Test, url: string, secret: string | null = adminSecret): Promise<Item> {
  const response = await request(app, t, { method: 'GET', url, headers: secret === null ? {} : bearer(secret) })
  t.equal(response.statusCode, 200, `GET ${url}`, { body: response.body.slice(0, 500) })
  return response.json()
}

/** Every item of a list (as the admin), page by page. */
async function everything (app: FastifyInstance, t: Test, path: string): Promise<Item[]> {
  const items: Item[] = []
  for (let offset = 0; ; offset += 100) {
    const page = await getJson(app, t, `${path}${path.includes('?') ? '&' : '?'}limit=100&offset=${offset}`)
    items.push(...page.data)
    if (items.length >= page.meta.total) return items
  }
}

const byType = (lines: Item[], type: string): Item[] => lines.filter((line) => line.type === type)
const order = ['header', 'setting', 'author', 'label', 'media', 'article', 'day', 'comment', 'redirect', 'page']

/**
 * The export's text as a database it was imported into (through the API, without the files)
 * exports it: each upload is an external item at the address the export gave for its file.
 */
function asImportedWithoutFiles (text: string): string {
  return text.split('\n').map((line) => {
    if (!line.startsWith('{"type":"media"')) return line
    const media = JSON.parse(line) as Item
    if (media.source !== 'upload') return line
    return JSON.stringify({ ...media, key: null, source: 'external', format: null, width: null, height: null, externalUrl: media.url })
  }).join('\n')
}

/** An article as the list shows it, its featured image named by id (the image's files differ between databases). */
const withFeaturedId = (article: Item): Item => ({ ...article, featuredImage: article.featuredImage?.id ?? null })

t.test('only an admin may export: anonymous 401, a bad token 401, author and editor 403', async (t) => {
  const app = await build(t)
  const author = (await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Staff Writer', email: 'staff@example.org' } })).json()
  const anonymous = await requestText(app, t, { method: 'GET', url: '/v1/export' })
  t.equal(anonymous.statusCode, 401)
  t.match(anonymous.json(), { type: `${problemBase}unauthorized`, status: 401, instance: '/v1/export' })
  t.match(String(anonymous.headers['www-authenticate']), /^Bearer\b/)
  t.equal((await exportOf(app, t, 'dl_not-a-real-token')).statusCode, 401, 'a bad token: 401')
  for (const [role, secret] of [['author', await tokenFor(app, 'author', author.id)], ['editor', await tokenFor(app, 'editor')]] as const) {
    const response = await exportOf(app, t, secret)
    t.equal(response.statusCode, 403, `an ${role} token: 403`)
    t.match(response.json(), { type: `${problemBase}forbidden`, status: 403 })
    t.notMatch(response.body, /staff@example\.org/, 'and no e-mail in the answer')
  }
  t.equal((await exportOf(app, t, await tokenFor(app, 'admin'))).statusCode, 200, 'an admin token: 200')
  const unknown = await requestText(app, t, { method: 'GET', url: '/v1/export?format=csv', headers: bearer(adminSecret) })
  t.equal(unknown.statusCode, 400, 'an unknown query parameter: 400')
  t.match(unknown.json(), { type: `${problemBase}validation`, errors: [{ path: 'querystring.format' }] })
})

t.test('the export of the demo blog', async (t) => {
  const app = await build(t, { demo: true })
  const editor = await tokenFor(app, 'editor')
  const [firstAuthor] = (await getJson(app, t, '/v1/authors?limit=1')).data
  // Things the demo may lack: a draft with its own excerpt, a pending comment, a day note.
  const draft = await createArticle(app, t, { title: 'An embargoed draft', authorId: firstAuthor.id, excerpt: 'Hand-written summary.', labels: ['Embargo'] }, editor)
  const published = (await getJson(app, t, '/v1/articles?limit=1', null)).data[0]
  const plain = await createArticle(app, t, { title: 'A story without its own excerpt', authorId: firstAuthor.id, status: 'published', publishedAt: '2020-05-06T07:08:09.000Z' }, editor)
  const pending = await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/comments`, payload: { authorName: 'A reader', authorEmail: 'reader@example.net', body: 'Waiting for a moderator.' } })
  t.equal(pending.statusCode, 201)
  const noted = await request(app, t, { method: 'POST', url: '/v1/dates', headers: bearer(editor), payload: { date: '2001-02-03', note: 'A quiet day.' } })
  t.equal(noted.statusCode, 201)
  const redirected = await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(editor), payload: { from: '/2001/02/old-page.html', to: `/articles/${plain.slug}`, status: 308 } })
  t.equal(redirected.statusCode, 201)
  // Two public corrections on one article (the demo has none), the second with its time given.
  for (const payload of [{ note: 'The vote was 7 to 2, not 7 to 3.' }, { note: 'A quote was\nmisattributed.', correctedAt: '2021-06-07T08:09:10+02:00' }]) {
    const corrected = await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/corrections`, headers: bearer(editor), payload })
    t.equal(corrected.statusCode, 201)
  }

  const started = new Date().toISOString()
  const response = await exportOf(app, t)
  const finished = new Date().toISOString()
  const text = response.body
  const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Item)

  await t.test('is NDJSON, never cached, offered as a file', async (t) => {
    t.equal(response.statusCode, 200)
    t.match(String(response.headers['content-type']), /^application\/x-ndjson\b/)
    t.equal(response.headers['cache-control'], 'no-store', 'it holds e-mails: no cache may keep it')
    t.match(String(response.headers['content-disposition']), /^attachment\b/)
    t.ok(text.endsWith('\n'))
    t.ok(lines.length > 10, `${lines.length} lines`)
  })

  await t.test('starts with a header whose counts are the rows that follow', async (t) => {
    const [header] = lines
    t.match(header, { type: 'header', format: 'dateline', version: 5, exportedAt: timestamp })
    t.same(Object.keys(header!).sort(), ['counts', 'exportedAt', 'format', 'type', 'version'])
    t.ok(header!.exportedAt >= started && header!.exportedAt <= finished, 'exportedAt is the time of the export')
    t.same(header!.counts, {
      authors: byType(lines, 'author').length,
      labels: byType(lines, 'label').length,
      media: byType(lines, 'media').length,
      articles: byType(lines, 'article').length,
      days: byType(lines, 'day').length,
      comments: byType(lines, 'comment').length,
      redirects: byType(lines, 'redirect').length,
      pages: byType(lines, 'page').length
    }, 'the counts match the lines')
    t.equal(lines.filter((line) => line.type === 'header').length, 1, 'one header')
    const ranks = lines.map((line) => order.indexOf(line.type))
    t.notOk(ranks.includes(-1), 'every line has a known type')
    t.same(ranks, [...ranks].sort((a, b) => a - b), 'then settings, authors, labels, media, articles, days, comments, redirects, pages, in that order')
    t.same(byType(lines, 'setting'), [{ type: 'setting', name: 'timezone', value: 'UTC' }, { type: 'setting', name: 'locale', value: 'en-US' }], 'the site settings, no secrets')
  })

  await t.test('holds every author with its e-mail, as the admin sees them', async (t) => {
    const authors = await everything(app, t, '/v1/authors')
    const authorLines = byType(lines, 'author')
    t.equal(authorLines.length, authors.length, 'every author')
    for (const author of authors) {
      const line = authorLines.find((candidate) => candidate.id === author.id)
      t.same(line, { type: 'author', id: author.id, slug: author.slug, name: author.name, bio: author.bio, avatarUrl: author.avatarUrl, url: author.url, email: author.email, createdAt: author.createdAt, updatedAt: author.updatedAt }, `author ${author.slug}`)
    }
    t.ok(authorLines.some((line) => typeof line.email === 'string' && line.email.includes('@')), 'e-mails are in the export (admin only)')
  })

  await t.test('holds every article of every status, with its labels and its own excerpt or null', async (t) => {
    const articles = await everything(app, t, '/v1/articles')
    const articleLines = byType(lines, 'article')
    t.equal(articleLines.length, articles.length, 'every article, drafts included')
    t.ok(articleLines.some((line) => line.status === 'draft'), 'drafts are exported')
    for (const article of articles) {
      const line = articleLines.find((candidate) => candidate.id === article.id)
      t.match(line, { type: 'article', slug: article.slug, title: article.title, body: article.body, status: article.status, publishedAt: article.publishedAt, authorId: article.authorId, labels: article.labels, createdAt: article.createdAt, updatedAt: article.updatedAt }, `article ${article.slug}`)
    }
    t.equal(articleLines.find((line) => line.id === draft.id)?.excerpt, 'Hand-written summary.', 'an editor\'s excerpt is exported')
    t.equal(articleLines.find((line) => line.id === plain.id)?.excerpt, null, 'a derived excerpt is null (it is derived again on import)')
    const corrected = await getJson(app, t, `/v1/articles/${published.id}/corrections`)
    t.same(articleLines.find((line) => line.id === published.id)?.corrections, corrected.data.map(({ id, note, correctedAt, createdAt, updatedAt }: Item) => ({ id, note, correctedAt, createdAt, updatedAt })), 'corrections, oldest first, with their times')
    t.equal(corrected.data[0].correctedAt, '2021-06-07T06:09:10.000Z', 'the one given its time comes first')
    t.same(articleLines.find((line) => line.id === plain.id)?.corrections, [], 'an article without corrections has none')
    t.same(byType(lines, 'label').map((line) => line.name).sort(), (await everything(app, t, '/v1/labels')).map((label) => label.name).sort(), 'every label, the draft\'s too')
  })

  await t.test('holds every comment of every status with its e-mail, and the noted day', async (t) => {
    const comments = await everything(app, t, '/v1/comments')
    const commentLines = byType(lines, 'comment')
    t.equal(commentLines.length, comments.length, 'every comment, pending ones included')
    for (const comment of comments) {
      const line = commentLines.find((candidate) => candidate.id === comment.id)
      t.match(line, { type: 'comment', articleId: comment.articleId, parentId: comment.parentId, authorName: comment.authorName, authorUrl: comment.authorUrl, authorEmail: comment.authorEmail ?? null, body: comment.body, status: comment.status, createdAt: comment.createdAt }, `comment ${comment.id}`)
    }
    t.match(commentLines.find((line) => line.id === pending.json().id), { status: 'pending', authorEmail: 'reader@example.net' })
    t.match(byType(lines, 'day').find((line) => line.day === '2001-02-03'), { type: 'day', note: 'A quiet day.', createdAt: timestamp, updatedAt: timestamp })
    t.same(byType(lines, 'redirect').at(-1), { type: 'redirect', ...redirected.json() }, 'the editors\' redirects, as the API shows them')
    t.equal(byType(lines, 'redirect').length, 2, 'the demo\'s and this one')
  })

  await t.test('round trip: imported into an empty database and exported again, every line is the same', async (t) => {
    const fresh = await build(t)
    const imported = await importNdjson(fresh, t, text)
    t.equal(imported.statusCode, 200, 'the export imports', { body: imported.body.slice(0, 1000) })
    const report = imported.json()
    const header = lines[0]!
    t.equal(report.format, 'ndjson', 'detected as Dateline NDJSON')
    t.same(report.counts, {
      authors: { created: header.counts.authors, updated: 0, unchanged: 0, skipped: 0 },
      articles: { created: header.counts.articles, updated: 0, unchanged: 0, skipped: 0 },
      comments: { created: header.counts.comments, updated: 0, unchanged: 0, skipped: 0 },
      media: { created: header.counts.media, updated: 0, unchanged: 0, skipped: 0 },
      days: { created: header.counts.days, updated: 0, unchanged: 0, skipped: 0 },
      redirects: { created: header.counts.redirects, updated: 0, unchanged: 0, skipped: 0 },
      pages: { created: header.counts.pages, updated: 0, unchanged: 0, skipped: 0 }
    }, 'every row created')
    t.same(report.skipped, [])
    const again = await exported(fresh, t)
    t.same(comparable(again.text), comparable(asImportedWithoutFiles(text)), 'export → import → export: the same lines but for exportedAt, and the uploads external at their exported addresses')
    t.same((await getJson(fresh, t, '/v1/articles?limit=100&include=author')).data.map(withFeaturedId), (await getJson(app, t, '/v1/articles?limit=100&include=author')).data.map(withFeaturedId), 'articles read the same in both databases, with the same featured images')
    for (const path of ['/v1/authors?limit=100', '/v1/comments?limit=100', '/v1/labels?limit=100', '/v1/dates?limit=100']) {
      t.same((await getJson(fresh, t, path)).data, (await getJson(app, t, path)).data, `${path} reads the same in both databases (ids kept)`)
    }
    const once = await importNdjson(fresh, t, text)
    t.equal(once.statusCode, 200)
    t.same(once.json().counts, {
      authors: { created: 0, updated: 0, unchanged: header.counts.authors, skipped: 0 },
      articles: { created: 0, updated: 0, unchanged: header.counts.articles, skipped: 0 },
      comments: { created: 0, updated: 0, unchanged: header.counts.comments, skipped: 0 },
      media: { created: 0, updated: 0, unchanged: header.counts.media, skipped: 0 },
      days: { created: 0, updated: 0, unchanged: header.counts.days, skipped: 0 },
      redirects: { created: 0, updated: 0, unchanged: header.counts.redirects, skipped: 0 },
      pages: { created: 0, updated: 0, unchanged: header.counts.pages, skipped: 0 }
    }, 'importing it a second time: all unchanged')
    t.same(comparable((await exported(fresh, t)).text), comparable(asImportedWithoutFiles(text)), 'and nothing changed')
  })

  await t.test('importing the export back into the database it came from duplicates nothing', async (t) => {
    const totals = async (): Promise<Item> => ({
      articles: (await getJson(app, t, '/v1/articles?limit=1')).meta.total,
      authors: (await getJson(app, t, '/v1/authors?limit=1')).meta.total,
      comments: (await getJson(app, t, '/v1/comments?limit=1')).meta.total,
      media: (await getJson(app, t, '/v1/media?limit=1')).meta.total
    })
    const totalsBefore = await totals()
    const back = await importNdjson(app, t, text)
    t.equal(back.statusCode, 200)
    t.same(back.json().counts.articles.created, 0, 'no article is created a second time')
    t.same(back.json().counts.media, { created: 0, updated: 0, unchanged: totalsBefore.media, skipped: 0 }, 'every image is found as itself, unchanged')
    t.same(await totals(), totalsBefore, 'the totals are unchanged')
  })
})

t.test('round trip of an imported WordPress site: threads, labels and statuses survive export → import → export', async (t) => {
  const app = await build(t)
  const wxr = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/xml' }, payload: themeFile })
  t.equal(wxr.statusCode, 200)
  const first = await exported(app, t)
  t.equal(byType(first.lines, 'article').length, 58)
  t.equal(byType(first.lines, 'comment').length, 24)
  t.ok(byType(first.lines, 'comment').some((line) => line.parentId !== null), 'replies keep their parents')
  const fresh = await build(t)
  const imported = await importNdjson(fresh, t, first.text)
  t.equal(imported.statusCode, 200)
  t.same(comparable((await exported(fresh, t)).text), comparable(first.text), 'the same lines but for exportedAt')
  const thread = (await getJson(fresh, t, '/v1/articles/template-comments/comments/thread?limit=100', null)).data
  const depth = (nodes: Item[]): number => nodes.length === 0 ? 0 : 1 + Math.max(...nodes.map((node) => depth(node.replies)))
  t.equal(depth(thread), 10, 'the 10-level thread is intact')
})

t.test('an NDJSON file with a bad line is a 400 naming that line, and imports nothing', async (t) => {
  const app = await build(t)
  const header = '{"type":"header","format":"dateline","version":1,"exportedAt":"2026-01-01T00:00:00.000Z","counts":{}}'
  const author = '{"type":"author","id":7,"slug":"ann-lee","name":"Ann Lee","bio":null,"avatarUrl":null,"url":null,"email":"ann@example.org","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}'
  const article = '{"type":"article","id":3,"slug":"hello","title":"Hello","body":"<p>Hi.</p>","excerpt":null,"status":"published","publishedAt":"2026-01-01T09:00:00.000Z","authorId":7,"labels":[],"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}'
  const cases: Array<[string, string, RegExp, string?]> = [
    ['a line that is not JSON', [header, author, '{"type":"article","id":3,', article].join('\n'), /^line 3, column 1: not JSON/],
    ['a line of an unknown type', [header, author, article, '{"type":"page","id":1}'].join('\n'), /^line 4, column 1: /],
    ['an article without its title', [header, author, article.replace('"title":"Hello",', '')].join('\n'), /^line 3, column 1: .*article/],
    ['a comment with a string id', [header, author, article, '', '{"type":"comment","id":"9","articleId":3,"parentId":null,"authorName":"R","authorUrl":null,"authorEmail":null,"body":"x","status":"approved","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}'].join('\n'), /^line 5, column 1: .*comment/],
    ['a second header', [header, author, header].join('\n'), /^line 3, column 1: /],
    ['a header that is not the first line', [author, header].join('\n'), /^unrecognised format/],
    ['a header that is not the first line, format given', [author, header].join('\n'), /^line 1, column 1: .*header/, '?format=ndjson']
  ]
  for (const [name, text, message, query] of cases) {
    const response = await importNdjson(app, t, text, query)
    t.equal(response.statusCode, 400, `${name}: 400`)
    t.match(response.json(), { type: `${problemBase}malformed-import`, status: 400, errors: [{ path: 'body', message }] }, `${name}: the message names the line`)
  }
  t.equal((await getJson(app, t, '/v1/authors?limit=1')).meta.total, 0, 'the good lines before the bad one were not imported')
  const good = await importNdjson(app, t, [header, author, article].join('\n'))
  t.equal(good.statusCode, 200, 'the same lines without the bad one import')
  t.match(await getJson(app, t, '/v1/articles/3', null), { id: 3, slug: 'hello', authorId: 7, excerpt: 'Hi.' }, 'with the ids of the file, the excerpt derived')
  t.match(await getJson(app, t, '/v1/authors/7'), { slug: 'ann-lee', email: 'ann@example.org' })
})
