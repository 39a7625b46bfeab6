import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// Articles: create, read by id and slug, change, delete; slugs, excerpts, Markdown,
// sanitising, editorial status and time, labels, conditional requests and caching.

type Tap = Test


async function get (app: FastifyInstance, t: Tap, url: string, secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: { ...(secret === undefined ? {} : bearer(secret)), ...headers } })
}

async function post (app: FastifyInstance, t: Tap, payload: unknown, secret = adminSecret): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(secret), payload: payload as Record<string, unknown> })
}

async function patch (app: FastifyInstance, t: Tap, id: string | number, payload: unknown, secret = adminSecret, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...bearer(secret), ...headers }, payload: payload as Record<string, unknown> })
}

async function remove (app: FastifyInstance, t: Tap, id: string | number, secret = adminSecret, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'DELETE', url: `/v1/articles/${id}`, headers: { ...bearer(secret), ...headers } })
}

/** How many articles an editor sees: with a shared app, effects are measured as differences. */
async function articleTotal (app: FastifyInstance, t: Tap): Promise<number> {
  return (await get(app, t, '/v1/articles?limit=1', adminSecret)).json().meta.total
}

/** The ids in a list answer (up to 100). */
async function listedIds (app: FastifyInstance, t: Tap, url: string, secret?: string): Promise<number[]> {
  const response = await get(app, t, url, secret)
  t.equal(response.statusCode, 200)
  return response.json().data.map((item: { id: number }) => item.id)
}

async function setup (t: Tap, overrides: Parameters<typeof build>[1] = {}) {
  const app = await build(t, overrides)
  const author = await createAuthor(app, t, { name: 'Zoë Lindqvist', email: 'zoe@example.org' })
  return { app, author }
}

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

t.test('creating', async (t) => {
  const { app, author } = await setup(t)

  t.test('POST answers 201 with a Location header, an ETag and the article, which reads back by id and by slug', async (t) => {
    const response = await post(app, t, { title: 'Council approves footbridge', body: '<p>The council voted 7 to 2.</p>', authorId: author.id, status: 'published', labels: ['City council'] })
    t.equal(response.statusCode, 201)
    const article = response.json()
    t.equal(response.headers.location, `/v1/articles/${article.id}`)
    t.match(String(response.headers.etag), /^"article-\d+-v\d+\.[^"]+"$/)
    t.match(article, {
      slug: 'council-approves-footbridge',
      title: 'Council approves footbridge',
      body: '<p>The council voted 7 to 2.</p>',
      excerpt: 'The council voted 7 to 2.',
      status: 'published',
      authorId: author.id,
      labels: ['City council'],
      commentCount: 0
    })
    t.match(article.publishedAt, isoTimestamp)
    t.match(article.createdAt, isoTimestamp)
    t.match(article.updatedAt, isoTimestamp)

    const byLocation = await get(app, t, String(response.headers.location))
    t.equal(byLocation.statusCode, 200)
    t.same(byLocation.json(), article)
    const bySlug = await get(app, t, '/v1/articles/council-approves-footbridge')
    t.equal(bySlug.statusCode, 200)
    t.same(bySlug.json(), article)
  })

  t.test('a draft is the default status and has no publishedAt or date', async (t) => {
    const response = await post(app, t, { title: 'Work in progress', authorId: author.id })
    t.equal(response.statusCode, 201)
    t.match(response.json(), { status: 'draft', publishedAt: null, date: null, body: '', excerpt: '', labels: [] })
    const read = await get(app, t, `/v1/articles/${response.json().id}`, adminSecret)
    t.equal(read.json().status, 'draft')
  })

  t.test('an unknown body field is a 400 naming it, and nothing is created', async (t) => {
    const before = await articleTotal(app, t)
    const response = await post(app, t, { title: 'Typo', authorId: author.id, tilte: 'Typo' })
    assertProblem(t, response, 400, 'validation', { path: 'body.tilte', message: 'is not a known field' })
    t.equal(await articleTotal(app, t), before)
  })

  t.test('a missing title is a 400 saying it is required', async (t) => {
    assertProblem(t, await post(app, t, { authorId: author.id, body: '<p>x</p>' }), 400, 'validation', { path: 'body.title', message: 'is required' })
  })

  t.test('a blank title is a 400 naming body.title', async (t) => {
    assertProblem(t, await post(app, t, { title: '   ', authorId: author.id }), 400, 'validation', 'body.title')
  })

  t.test('a string where an integer is expected is a 400: bodies are not coerced', async (t) => {
    const before = await articleTotal(app, t)
    assertProblem(t, await post(app, t, { title: 'Typed', authorId: String(author.id) }), 400, 'validation', 'body.authorId')
    t.equal(await articleTotal(app, t), before)
  })

  t.test('a label of the wrong type is a 400 naming its position', async (t) => {
    assertProblem(t, await post(app, t, { title: 'Typed', authorId: author.id, labels: ['ok', 3] }), 400, 'validation', 'body.labels.1')
  })

  t.test('an unknown status is a 400 naming body.status', async (t) => {
    assertProblem(t, await post(app, t, { title: 'Status', authorId: author.id, status: 'live' }), 400, 'validation', 'body.status')
  })

  t.test('an editor must give authorId: missing or unknown is a 400 naming body.authorId', async (t) => {
    const editor = await tokenFor(app, 'editor')
    const before = await articleTotal(app, t)
    assertProblem(t, await post(app, t, { title: 'Nobody wrote this' }, editor), 400, 'validation', { path: 'body.authorId', message: 'is required' })
    assertProblem(t, await post(app, t, { title: 'Ghost wrote this', authorId: 999 }, editor), 400, 'validation', 'body.authorId')
    t.equal(await articleTotal(app, t), before)
  })

  t.test('POST without a token is a 401 with WWW-Authenticate', async (t) => {
    const before = await articleTotal(app, t)
    const response = await request(app, t, { method: 'POST', url: '/v1/articles', payload: { title: 'Anonymous', authorId: author.id } })
    assertProblem(t, response, 401, 'unauthorized')
    t.ok(response.headers['www-authenticate'])
    t.equal(await articleTotal(app, t), before)
  })

  t.test('an unknown bearer token is a 401 even on reads', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    const read = await get(app, t, '/v1/articles', 'dl_not-a-real-token')
    assertProblem(t, read, 401, 'unauthorized')
    t.ok(read.headers['www-authenticate'])
    const one = await get(app, t, `/v1/articles/${article.id}`, 'dl_not-a-real-token')
    assertProblem(t, one, 401, 'unauthorized')
    const write = await post(app, t, { title: 'x', authorId: author.id }, 'dl_not-a-real-token')
    assertProblem(t, write, 401, 'unauthorized')
  })

  t.test('a body that is not JSON is a 415', async (t) => {
    const response = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(adminSecret), 'content-type': 'text/plain' }, payload: 'title=hello' })
    assertProblem(t, response, 415, 'unsupported-media-type')
  })

  t.test('malformed JSON is a 400', async (t) => {
    const response = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(adminSecret), 'content-type': 'application/json' }, payload: '{"title": ' })
    assertProblem(t, response, 400, 'malformed-json')
  })

  t.test('a body above the body limit is a 413 and nothing is created', async (t) => {
    const { app, author } = await setup(t, { bodyLimit: 2000 })
    const response = await post(app, t, { title: 'Too long', authorId: author.id, body: `<p>${'word '.repeat(1000)}</p>` })
    assertProblem(t, response, 413, 'body-too-large')
    t.equal((await get(app, t, '/v1/articles', adminSecret)).json().meta.total, 0)
  })
})

t.test('slugs', async (t) => {
  const { app, author } = await setup(t)

  t.test('the slug is derived from the title, lower-case with accents folded', async (t) => {
    const cafe = await createArticle(app, t, { title: 'Café reopens', authorId: author.id })
    t.equal(cafe.slug, 'cafe-reopens')
    const accents = await createArticle(app, t, { title: 'Crème Brûlée & Ünïcödé: São Paulo!', authorId: author.id })
    t.equal(accents.slug, 'creme-brulee-unicode-sao-paulo')
    const read = await get(app, t, '/v1/articles/creme-brulee-unicode-sao-paulo', adminSecret)
    t.equal(read.statusCode, 200)
    t.equal(read.json().id, accents.id)
  })

  t.test('a title of digits only gets a slug with a letter, so it is never taken for an id', async (t) => {
    const article = await createArticle(app, t, { title: '2026', authorId: author.id })
    t.match(article.slug, /\p{Ll}/u)
    t.not(article.slug, '2026')
    const read = await get(app, t, `/v1/articles/${article.slug}`, adminSecret)
    t.equal(read.json().id, article.id)
  })

  t.test('derived slugs are made unique with -2, -3', async (t) => {
    const first = await createArticle(app, t, { title: 'Flood warning', authorId: author.id })
    const second = await createArticle(app, t, { title: 'Flood Warning', authorId: author.id })
    const third = await createArticle(app, t, { title: 'Flood warning!', authorId: author.id })
    t.same([first.slug, second.slug, third.slug], ['flood-warning', 'flood-warning-2', 'flood-warning-3'])
    t.equal((await get(app, t, '/v1/articles/flood-warning-2', adminSecret)).json().id, second.id)
  })

  t.test('the slug stays the same when the title changes', async (t) => {
    const article = await createArticle(app, t, { title: 'Bridge to open in May', authorId: author.id })
    const changed = await patch(app, t, article.id, { title: 'Bridge to open in June' })
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().title, 'Bridge to open in June')
    t.equal(changed.json().slug, 'bridge-to-open-in-may')
    const read = await get(app, t, '/v1/articles/bridge-to-open-in-may', adminSecret)
    t.equal(read.json().title, 'Bridge to open in June')
  })

  t.test('an explicit slug is used as given', async (t) => {
    const article = await createArticle(app, t, { title: 'Anything', slug: 'my-own-slug-2026', authorId: author.id })
    t.equal(article.slug, 'my-own-slug-2026')
  })

  t.test('an explicit slug that is taken is a 409 slug-taken, on POST and on PATCH', async (t) => {
    const first = await createArticle(app, t, { title: 'First', slug: 'taken', authorId: author.id })
    const second = await createArticle(app, t, { title: 'Second', authorId: author.id })
    assertProblem(t, await post(app, t, { title: 'Third', slug: 'taken', authorId: author.id }), 409, 'slug-taken')
    assertProblem(t, await patch(app, t, second.id, { slug: 'taken' }), 409, 'slug-taken')
    t.equal((await get(app, t, `/v1/articles/${second.id}`, adminSecret)).json().slug, 'second')
    t.equal((await get(app, t, '/v1/articles/taken', adminSecret)).json().id, first.id)
    t.equal((await listedIds(app, t, '/v1/articles?limit=100', adminSecret)).filter((id) => id === first.id || id === second.id).length, 2)
  })

  t.test('PATCH with an article\'s own slug is not a conflict', async (t) => {
    const article = await createArticle(app, t, { title: 'Same slug', authorId: author.id })
    const response = await patch(app, t, article.id, { slug: 'same-slug', title: 'Same slug, new title' })
    t.equal(response.statusCode, 200)
    t.equal(response.json().slug, 'same-slug')
  })

  t.test('PATCH can change the slug explicitly; the old one then answers 301 to it', async (t) => {
    const article = await createArticle(app, t, { title: 'Old name', authorId: author.id })
    const response = await patch(app, t, 'old-name', { slug: 'new-name' })
    t.equal(response.statusCode, 200)
    t.equal(response.json().slug, 'new-name')
    t.equal((await get(app, t, '/v1/articles/new-name', adminSecret)).json().id, article.id)
    const moved = await get(app, t, '/v1/articles/old-name', adminSecret)
    t.equal(moved.statusCode, 301)
    t.equal(moved.headers.location, '/v1/articles/new-name')
  })

  t.test('an all-digit slug is a 400 naming body.slug', async (t) => {
    assertProblem(t, await post(app, t, { title: 'Digits', slug: '2026', authorId: author.id }), 400, 'validation', 'body.slug')
    const article = await createArticle(app, t, { title: 'Digits', authorId: author.id })
    assertProblem(t, await patch(app, t, article.id, { slug: '12345' }), 400, 'validation', 'body.slug')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().slug, 'digits')
  })

  t.test('a slug with upper case or spaces is a 400 naming body.slug', async (t) => {
    assertProblem(t, await post(app, t, { title: 'Bad', slug: 'Bad Slug', authorId: author.id }), 400, 'validation', 'body.slug')
  })
})

t.test('excerpts', async (t) => {
  const { app, author } = await setup(t)

  const longText = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ')

  t.test('a short body gives its plain text as the excerpt', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, body: '<h2>Heading</h2><p>Fish &amp; chips <em>tonight</em>.</p>' })
    t.equal(article.excerpt, 'Heading Fish & chips tonight.')
  })

  t.test('a long body gives about 200 characters cut at a word boundary, ending with an ellipsis', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, body: `<p>${longText}</p>` })
    const excerpt: string = article.excerpt
    t.ok(excerpt.endsWith('…'), 'ends with …')
    const words = excerpt.slice(0, -1)
    t.ok(words.length <= 200 && words.length >= 150, `about 200 characters (${words.length})`)
    t.ok(longText.startsWith(`${words} `), 'a prefix of the text that stops at a whole word')
  })

  t.test('a given excerpt is kept, and survives a body change', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, body: `<p>${longText}</p>`, excerpt: '  A short  summary. ' })
    t.equal(article.excerpt, 'A short summary.')
    const changed = await patch(app, t, article.id, { body: '<p>Entirely new body.</p>' })
    t.equal(changed.json().excerpt, 'A short summary.')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().excerpt, 'A short summary.')
  })

  t.test('excerpt: null on PATCH goes back to the derived excerpt', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, body: '<p>The derived one.</p>', excerpt: 'The custom one.' })
    t.equal(article.excerpt, 'The custom one.')
    const changed = await patch(app, t, article.id, { excerpt: null })
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().excerpt, 'The derived one.')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().excerpt, 'The derived one.')
  })

  t.test('a derived excerpt is re-derived when the body changes', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, body: '<p>Before.</p>' })
    t.equal(article.excerpt, 'Before.')
    const changed = await patch(app, t, article.id, { body: '<p>After.</p>' })
    t.equal(changed.json().excerpt, 'After.')
    const markdown = await patch(app, t, article.id, { markdown: 'After **Markdown**.' })
    t.equal(markdown.json().excerpt, 'After Markdown.')
  })
})

t.test('markdown', async (t) => {
  const { app, author } = await setup(t)

  t.test('markdown is rendered to HTML', async (t) => {
    const article = await createArticle(app, t, {
      authorId: author.id,
      body: undefined,
      markdown: '## The vote\n\nThe council voted **7 to 2**, see [the minutes](https://example.org/minutes).\n\n- one\n- two\n'
    })
    t.match(article.body, /<h2>The vote<\/h2>/)
    t.match(article.body, /<strong>7 to 2<\/strong>/)
    t.match(article.body, /<a href="https:\/\/example\.org\/minutes">the minutes<\/a>/)
    t.match(article.body, /<ul>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/)
    t.equal(article.excerpt, 'The vote The council voted 7 to 2, see the minutes. one two')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().body, article.body)
  })

  t.test('markdown is sanitised too', async (t) => {
    const article = await createArticle(app, t, {
      authorId: author.id,
      body: undefined,
      markdown: 'Hello <script>alert(1)</script>\n\n[click](javascript:alert(2)) <a href="javascript:alert(4)">raw</a>\n\n<img src="https://example.org/a.png" onerror="alert(3)">\n'
    })
    t.notMatch(article.body, /<script/i)
    t.notMatch(article.body, /alert\(1\)/)
    t.notMatch(article.body, /href\s*=\s*["']?\s*javascript:/i)
    t.notMatch(article.body, /onerror/i)
    t.match(article.body, /Hello/)
    t.match(article.body, /<img src="https:\/\/example\.org\/a\.png" \/>/)
  })

  t.test('body and markdown together are a 400 naming body.markdown', async (t) => {
    const before = await articleTotal(app, t)
    assertProblem(t, await post(app, t, { title: 'Both', authorId: author.id, body: '<p>x</p>', markdown: 'x' }), 400, 'validation', 'body.markdown')
    t.equal(await articleTotal(app, t), before)
    const article = await createArticle(app, t, { authorId: author.id, body: '<p>Kept.</p>' })
    assertProblem(t, await patch(app, t, article.id, { body: '<p>y</p>', markdown: 'y' }), 400, 'validation', 'body.markdown')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().body, '<p>Kept.</p>')
  })
})

t.test('sanitising', async (t) => {
  const { app, author } = await setup(t)

  async function sanitised (t: Tap, html: string): Promise<string> {
    const article = await createArticle(app, t, { authorId: author.id, body: html })
    const read = await get(app, t, `/v1/articles/${article.id}`, adminSecret)
    t.equal(read.json().body, article.body, 'stored as answered')
    return article.body
  }

  t.test('script elements are dropped with their content', async (t) => {
    const body = await sanitised(t, '<p>Before</p><script>alert("xss")</script><p>After</p>')
    t.notMatch(body, /script/i)
    t.notMatch(body, /alert/)
    t.match(body, /<p>Before<\/p>/)
    t.match(body, /<p>After<\/p>/)
  })

  t.test('event handler attributes are dropped', async (t) => {
    const body = await sanitised(t, '<img src="https://example.org/a.png" alt="A" onerror="alert(1)"><p onclick="alert(2)">Hi</p>')
    t.notMatch(body, /onerror|onclick|alert/i)
    t.match(body, /<img src="https:\/\/example\.org\/a\.png" alt="A" \/>/)
    t.match(body, /<p>Hi<\/p>/)
  })

  t.test('javascript: and data: URLs are dropped', async (t) => {
    const body = await sanitised(t, '<a href="javascript:alert(1)">x</a><a href="JaVaScRiPt:alert(2)">y</a><img src="data:image/png;base64,AAAA">')
    t.notMatch(body, /javascript:/i)
    t.notMatch(body, /data:/i)
    t.match(body, />x<\/a>/)
  })

  t.test('an iframe from a host that is not allowed is dropped, element and all', async (t) => {
    const body = await sanitised(t, '<p>Watch</p><iframe src="https://evil.example.com/embed"></iframe>')
    t.notMatch(body, /evil\.example\.com/)
    t.equal(body, '<p>Watch</p>', 'no empty <iframe> box is left behind')
  })

  t.test('look-alike, protocol-relative and plain-http YouTube iframes are dropped', async (t) => {
    for (const src of ['https://www.youtube.com.evil.example/embed/x', '//www.youtube.com/embed/x', 'http://www.youtube.com/embed/x', 'javascript:alert(1)']) {
      const body = await sanitised(t, `<p>Watch</p><iframe src="${src}"></iframe>`)
      t.equal(body, '<p>Watch</p>', src)
    }
  })

  t.test('a YouTube iframe is kept', async (t) => {
    const body = await sanitised(t, '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" width="560" height="315" allowfullscreen></iframe>')
    t.match(body, /<iframe src="https:\/\/www\.youtube\.com\/embed\/dQw4w9WgXcQ"/)
  })

  t.test('a link opening a new tab gets rel="noopener noreferrer"', async (t) => {
    const body = await sanitised(t, '<a href="https://example.org" target="_blank">out</a>')
    t.match(body, /rel="noopener noreferrer"/)
    t.match(body, /target="_blank"/)
    t.match(body, /href="https:\/\/example\.org"/)
  })

  t.test('target="_blank" is matched case-insensitively, and a given rel is replaced', async (t) => {
    const upper = await sanitised(t, '<a href="https://example.org" target="_BLANK">out</a>')
    t.match(upper, /rel="noopener noreferrer"/, 'target=_BLANK also opens a new tab')
    const opener = await sanitised(t, '<a href="https://example.org" target="_blank" rel="opener">out</a>')
    t.match(opener, /rel="noopener noreferrer"/)
    t.notMatch(opener, /rel="opener"/)
  })

  t.test('style elements and attributes are dropped; headings, lists, figures, tables and quotes are kept', async (t) => {
    const body = await sanitised(t, '<style>p{color:red}</style><h3 style="color:red">H</h3><ul><li>i</li></ul><figure><img src="https://example.org/f.jpg" alt="f"><figcaption>Cap</figcaption></figure><blockquote>Q</blockquote><table><tr><td>c</td></tr></table>')
    t.notMatch(body, /style|color/)
    t.match(body, /<h3>H<\/h3>/)
    t.match(body, /<ul><li>i<\/li><\/ul>/)
    t.match(body, /<figure>.*<figcaption>Cap<\/figcaption><\/figure>/)
    t.match(body, /<blockquote>Q<\/blockquote>/)
    t.match(body, /<table>.*<td>c<\/td>.*<\/table>/)
  })
})

t.test('status and publishedAt', async (t) => {
  const { app, author } = await setup(t)

  t.test('published without publishedAt is published now', async (t) => {
    const before = new Date().toISOString()
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    const after = new Date().toISOString()
    t.equal(article.status, 'published')
    t.ok(article.publishedAt >= before && article.publishedAt <= after, 'publishedAt is now')
    t.equal(article.date, article.publishedAt.slice(0, 10))
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).statusCode, 200)
  })

  t.test('published with a future publishedAt is stored as scheduled and hidden from anonymous readers', async (t) => {
    const future = new Date(Date.now() + 86_400_000).toISOString()
    const article = await createArticle(app, t, { authorId: author.id, status: 'published', publishedAt: future })
    t.equal(article.status, 'scheduled')
    t.equal(article.publishedAt, future)
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}`), 404, 'not-found')
    t.notOk((await listedIds(app, t, '/v1/articles?limit=100')).includes(article.id), 'not listed for anonymous readers')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().status, 'scheduled')
  })

  t.test('scheduled without publishedAt is a 400 naming body.publishedAt', async (t) => {
    const before = await articleTotal(app, t)
    assertProblem(t, await post(app, t, { title: 'When?', authorId: author.id, status: 'scheduled' }), 400, 'validation', 'body.publishedAt')
    t.equal(await articleTotal(app, t), before)
    const draft = await createArticle(app, t, { authorId: author.id })
    assertProblem(t, await patch(app, t, draft.id, { status: 'scheduled' }), 400, 'validation', 'body.publishedAt')
    t.equal((await get(app, t, `/v1/articles/${draft.id}`, adminSecret)).json().status, 'draft')
  })

  t.test('scheduled with a past publishedAt is published', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'scheduled', publishedAt: '2015-06-25T14:03:00.000Z' })
    t.equal(article.status, 'published')
    t.equal(article.publishedAt, '2015-06-25T14:03:00.000Z')
    t.equal(article.date, '2015-06-25')
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).json().status, 'published')
  })

  t.test('a publishedAt with an offset is stored in UTC', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published', publishedAt: '2015-06-25T16:03:00+02:00' })
    t.equal(article.publishedAt, '2015-06-25T14:03:00.000Z')
  })

  t.test('a publishedAt that is not a timestamp is a 400 naming body.publishedAt', async (t) => {
    assertProblem(t, await post(app, t, { title: 'Bad time', authorId: author.id, status: 'published', publishedAt: 'yesterday' }), 400, 'validation', 'body.publishedAt')
  })

  t.test('a scheduled article becomes visible to anonymous readers once its time passes', async (t) => {
    const at = new Date(Date.now() + 1200).toISOString()
    const article = await createArticle(app, t, { authorId: author.id, status: 'scheduled', publishedAt: at })
    t.equal(article.status, 'scheduled')
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}`), 404, 'not-found')
    t.notOk((await listedIds(app, t, '/v1/articles?limit=100')).includes(article.id), 'not listed yet')

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(at) - Date.now()) + 300))

    const list = await get(app, t, '/v1/articles?limit=100')
    t.equal(list.statusCode, 200)
    const listed = list.json().data.find((item: { id: number }) => item.id === article.id)
    t.ok(listed, 'listed for anonymous readers now')
    t.equal(listed?.status, 'published')
    const read = await get(app, t, `/v1/articles/${article.slug}`)
    t.equal(read.statusCode, 200)
    t.equal(read.json().status, 'published')
    t.equal(read.json().publishedAt, at)
  })

  t.test('moving a scheduled article\'s publishedAt into the past publishes it', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'scheduled', publishedAt: new Date(Date.now() + 86_400_000).toISOString() })
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}`), 404, 'not-found')
    const changed = await patch(app, t, article.id, { publishedAt: '2020-01-02T03:04:05.000Z' })
    t.equal(changed.statusCode, 200)
    t.match(changed.json(), { status: 'published', publishedAt: '2020-01-02T03:04:05.000Z', date: '2020-01-02' })
    const read = await get(app, t, `/v1/articles/${article.id}`)
    t.equal(read.statusCode, 200)
    t.equal(read.json().status, 'published')
  })

  t.test('an editor publishes a draft with PATCH status=published', async (t) => {
    const draft = await createArticle(app, t, { authorId: author.id })
    assertProblem(t, await get(app, t, `/v1/articles/${draft.id}`), 404, 'not-found')
    const changed = await patch(app, t, draft.id, { status: 'published' }, await tokenFor(app, 'editor'))
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().status, 'published')
    t.match(changed.json().publishedAt, isoTimestamp)
    t.equal((await get(app, t, `/v1/articles/${draft.id}`)).json().status, 'published')
  })

  t.test('unpublishing back to draft hides the article from anonymous readers', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    const changed = await patch(app, t, article.id, { status: 'draft' })
    t.equal(changed.json().status, 'draft')
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}`), 404, 'not-found')
  })
})

t.test('the date is the day of publishedAt in the site time zone', async (t) => {
  t.test('in Europe/Berlin, 23:30 UTC on June 24 is June 25', async (t) => {
    const app = await build(t, { timezone: 'Europe/Berlin' })
    const author = await createAuthor(app, t, { name: 'Berliner' })
    const article = await createArticle(app, t, { authorId: author.id, status: 'published', publishedAt: '2026-06-24T23:30:00.000Z' })
    t.equal(article.publishedAt, '2026-06-24T23:30:00.000Z')
    t.equal(article.date, '2026-06-25')
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).json().date, '2026-06-25')
    const onDay = await get(app, t, '/v1/articles?date=2026-06-25')
    t.same(onDay.json().data.map((item: { id: number }) => item.id), [article.id])
    t.equal((await get(app, t, '/v1/articles?date=2026-06-24')).json().meta.total, 0)
  })

  t.test('in UTC the same instant is June 24', async (t) => {
    const { app, author } = await setup(t)
    const article = await createArticle(app, t, { authorId: author.id, status: 'published', publishedAt: '2026-06-24T23:30:00.000Z' })
    t.equal(article.date, '2026-06-24')
  })

  t.test('the date follows publishedAt when it changes', async (t) => {
    const app = await build(t, { timezone: 'Europe/Berlin' })
    const author = await createAuthor(app, t, { name: 'Berliner' })
    const article = await createArticle(app, t, { authorId: author.id, status: 'published', publishedAt: '2026-06-24T12:00:00.000Z' })
    t.equal(article.date, '2026-06-24')
    const changed = await patch(app, t, article.id, { publishedAt: '2026-06-24T22:15:00.000Z' })
    t.equal(changed.json().date, '2026-06-25')
  })
})

t.test('labels', async (t) => {
  const { app, author } = await setup(t)

  t.test('labels are trimmed and de-duplicated case-insensitively, keeping the first spelling and the order', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, labels: ['  City   council ', 'Transport', 'city council', 'TRANSPORT', 'Weather'] })
    t.same(article.labels, ['City council', 'Transport', 'Weather'])
    t.same((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().labels, ['City council', 'Transport', 'Weather'])
  })

  t.test('a label keeps the spelling it was first created with across articles', async (t) => {
    await createArticle(app, t, { authorId: author.id, labels: ['Town Hall'] })
    const second = await createArticle(app, t, { authorId: author.id, labels: ['town hall'] })
    t.same(second.labels, ['Town Hall'])
  })

  t.test('PATCH labels replaces them; PATCH without labels keeps them', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, labels: ['A', 'B'] })
    const untouched = await patch(app, t, article.id, { title: 'New title' })
    t.same(untouched.json().labels, ['A', 'B'])
    const replaced = await patch(app, t, article.id, { labels: ['D', 'C'] })
    t.same(replaced.json().labels, ['D', 'C'])
    t.same((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().labels, ['D', 'C'])
    const cleared = await patch(app, t, article.id, { labels: [] })
    t.same(cleared.json().labels, [])
  })

  t.test('an empty label is a 400 naming it', async (t) => {
    assertProblem(t, await post(app, t, { title: 'x', authorId: author.id, labels: ['ok', ''] }), 400, 'validation', 'body.labels.1')
  })
})

t.test('reading one article', async (t) => {
  const { app, author } = await setup(t)

  t.test('an unknown id or slug is a 404 problem', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles/999'), 404, 'not-found')
    assertProblem(t, await get(app, t, '/v1/articles/no-such-article', adminSecret), 404, 'not-found')
  })

  t.test('fields= returns only those fields plus id', async (t) => {
    const article = await createArticle(app, t, { title: 'Sparse', authorId: author.id, status: 'published' })
    const response = await get(app, t, `/v1/articles/${article.id}?fields=title,slug`)
    t.equal(response.statusCode, 200)
    t.same(response.json(), { id: article.id, title: 'Sparse', slug: 'sparse' })
  })

  t.test('an unknown name in fields= is a 400 naming querystring.fields', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}?fields=title,password`), 400, 'validation', 'querystring.fields')
  })

  t.test('include=author embeds the author, with the email only for editors', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    const anonymous = await get(app, t, `/v1/articles/${article.id}?include=author`)
    t.equal(anonymous.statusCode, 200)
    t.match(anonymous.json().author, { id: author.id, name: 'Zoë Lindqvist', slug: author.slug })
    t.notOk('email' in anonymous.json().author, 'no email for anonymous readers')
    const editor = await get(app, t, `/v1/articles/${article.id}?include=author`, await tokenFor(app, 'editor'))
    t.equal(editor.json().author.email, 'zoe@example.org')
    const plain = await get(app, t, `/v1/articles/${article.id}`)
    t.notOk('author' in plain.json(), 'no author without include')
  })

  t.test('an unknown include or query parameter is a 400', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}?include=comments,editor`), 400, 'validation', 'querystring.include')
    const unknown = await get(app, t, `/v1/articles/${article.id}?colour=blue`)
    assertProblem(t, unknown, 400, 'validation', 'querystring.colour')
  })
})

t.test('changing', async (t) => {
  const { app, author } = await setup(t)

  t.test('PATCH changes only the fields given and bumps updatedAt', async (t) => {
    const article = await createArticle(app, t, { title: 'Original', authorId: author.id, body: '<p>Body.</p>', labels: ['L'] })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const response = await patch(app, t, article.slug, { title: 'Changed' })
    t.equal(response.statusCode, 200)
    const changed = response.json()
    t.match(changed, { id: article.id, title: 'Changed', body: '<p>Body.</p>', labels: ['L'], status: 'draft', createdAt: article.createdAt })
    t.ok(changed.updatedAt > article.updatedAt, 'updatedAt moves on')
    t.same((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json(), changed)
  })

  t.test('an editor can move an article to another author; an unknown one is a 400', async (t) => {
    const other = await createAuthor(app, t, { name: 'Other Writer' })
    const article = await createArticle(app, t, { authorId: author.id })
    const moved = await patch(app, t, article.id, { authorId: other.id }, await tokenFor(app, 'editor'))
    t.equal(moved.statusCode, 200)
    t.equal(moved.json().authorId, other.id)
    assertProblem(t, await patch(app, t, article.id, { authorId: 999 }), 400, 'validation', 'body.authorId')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().authorId, other.id)
  })

  t.test('PATCH with an unknown field is a 400 naming it and changes nothing', async (t) => {
    const article = await createArticle(app, t, { title: 'Stay', authorId: author.id })
    assertProblem(t, await patch(app, t, article.id, { title: 'Go', headline: 'Go' }), 400, 'validation', { path: 'body.headline', message: 'is not a known field' })
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().title, 'Stay')
  })

  t.test('PATCH with an empty object or a wrong type is a 400', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id })
    assertProblem(t, await patch(app, t, article.id, {}), 400, 'validation')
    assertProblem(t, await patch(app, t, article.id, { authorId: String(author.id) }), 400, 'validation', 'body.authorId')
    assertProblem(t, await patch(app, t, article.id, { title: 42 }), 400, 'validation', 'body.title')
  })

  t.test('PATCH of an unknown article is a 404', async (t) => {
    assertProblem(t, await patch(app, t, 999, { title: 'x' }), 404, 'not-found')
    assertProblem(t, await patch(app, t, 'nope', { title: 'x' }), 404, 'not-found')
  })

  t.test('PATCH without a token is a 401 and changes nothing', async (t) => {
    const article = await createArticle(app, t, { title: 'Stay', authorId: author.id, status: 'published' })
    const response = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, payload: { title: 'Go' } })
    assertProblem(t, response, 401, 'unauthorized')
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).json().title, 'Stay')
  })

  t.test('PATCH with a non-JSON body is a 415', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id })
    const response = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: { ...bearer(adminSecret), 'content-type': 'text/plain' }, payload: 'title=x' })
    assertProblem(t, response, 415, 'unsupported-media-type')
  })

  t.test('PATCH with a body above the limit is a 413', async (t) => {
    const { app, author } = await setup(t, { bodyLimit: 2000 })
    const article = await createArticle(app, t, { authorId: author.id, body: '<p>Short.</p>' })
    assertProblem(t, await patch(app, t, article.id, { body: `<p>${'word '.repeat(1000)}</p>` }), 413, 'body-too-large')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().body, '<p>Short.</p>')
  })
})

t.test('deleting', async (t) => {
  const { app, author } = await setup(t)

  t.test('DELETE answers 204; the article is then 404 by id and by slug', async (t) => {
    const article = await createArticle(app, t, { title: 'Gone soon', authorId: author.id, status: 'published', labels: ['Ephemeral'] })
    const response = await remove(app, t, article.id)
    t.equal(response.statusCode, 204)
    t.equal(response.body, '')
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}`, adminSecret), 404, 'not-found')
    assertProblem(t, await get(app, t, '/v1/articles/gone-soon', adminSecret), 404, 'not-found')
    t.notOk((await listedIds(app, t, '/v1/articles?limit=100', adminSecret)).includes(article.id), 'no longer listed')
    assertProblem(t, await remove(app, t, article.id), 404, 'not-found')
  })

  t.test('DELETE accepts the slug', async (t) => {
    const article = await createArticle(app, t, { title: 'By slug', authorId: author.id })
    t.equal((await remove(app, t, 'by-slug')).statusCode, 204)
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}`, adminSecret), 404, 'not-found')
  })

  t.test('DELETE without a token is a 401 and deletes nothing', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    const response = await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}` })
    assertProblem(t, response, 401, 'unauthorized')
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).statusCode, 200)
  })

  t.test('a deleted article\'s slug stays reserved while it is in the trash, and is free once purged', async (t) => {
    await createArticle(app, t, { title: 'Recycled', authorId: author.id })
    await remove(app, t, 'recycled')
    const meanwhile = await createArticle(app, t, { title: 'Recycled', authorId: author.id })
    t.equal(meanwhile.slug, 'recycled-2', 'a new article gets another slug')
    const asked = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Recycled', slug: 'recycled', authorId: author.id } })
    assertProblem(t, asked, 409, 'slug-taken')
    t.equal((await request(app, t, { method: 'DELETE', url: '/v1/trash/recycled', headers: bearer(adminSecret) })).statusCode, 204)
    const again = await createArticle(app, t, { title: 'Recycled', authorId: author.id })
    t.equal(again.slug, 'recycled')
  })

  t.test('an unsupported method on an article is a 405 with Allow', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id })
    const response = await request(app, t, { method: 'PUT', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { title: 'x' } })
    t.equal(response.statusCode, 405)
    t.match(String(response.headers.allow), /GET/)
    t.match(String(response.headers.allow), /PATCH/)
    t.match(String(response.headers.allow), /DELETE/)
  })
})

t.test('conditional requests and caching', async (t) => {
  const { app, author } = await setup(t)

  t.test('a single article has an ETag of the form "article-<id>-v<n>.<hash>" and If-None-Match gives 304 with no body', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    const first = await get(app, t, `/v1/articles/${article.id}`)
    const etag = String(first.headers.etag)
    t.match(etag, new RegExp(`^"article-${article.id}-v\\d+\\.[^"]+"$`))
    const again = await get(app, t, `/v1/articles/${article.id}`, undefined, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    const bySlug = await get(app, t, `/v1/articles/${article.slug}`, undefined, { 'if-none-match': etag })
    t.equal(bySlug.statusCode, 304, 'the same representation by slug has the same ETag')
    const other = await get(app, t, `/v1/articles/${article.id}`, undefined, { 'if-none-match': '"article-1-v99.nope"' })
    t.equal(other.statusCode, 200)
    const weak = await get(app, t, `/v1/articles/${article.id}`, undefined, { 'if-none-match': `W/${etag}` })
    t.equal(weak.statusCode, 304, 'If-None-Match compares weakly')
    const listed = await get(app, t, `/v1/articles/${article.id}`, undefined, { 'if-none-match': `"something-else", ${etag}` })
    t.equal(listed.statusCode, 304, 'any listed tag may match')
  })

  t.test('the ETag changes when the article changes, so an old If-None-Match gets the new body', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    const etag = String((await get(app, t, `/v1/articles/${article.id}`)).headers.etag)
    await patch(app, t, article.id, { title: 'New title' })
    const after = await get(app, t, `/v1/articles/${article.id}`, undefined, { 'if-none-match': etag })
    t.equal(after.statusCode, 200)
    t.equal(after.json().title, 'New title')
    t.not(after.headers.etag, etag)
  })

  t.test('a 304 keeps the caching headers; the ETag moves with the comment count and with fields=', async (t) => {
    const { app, author } = await setup(t, { commentsAutoApprove: true })
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    const first = await get(app, t, `/v1/articles/${article.id}`)
    const etag = String(first.headers.etag)
    const again = await get(app, t, `/v1/articles/${article.id}`, undefined, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.headers.etag, etag)
    t.equal(again.headers['cache-control'], first.headers['cache-control'])
    t.match(String(again.headers.vary), /Authorization/)
    t.equal(again.headers['content-type'], undefined)

    const sparse = await get(app, t, `/v1/articles/${article.id}?fields=title`)
    t.not(sparse.headers.etag, etag, 'another representation, another ETag')
    t.equal((await get(app, t, `/v1/articles/${article.id}?fields=title`, undefined, { 'if-none-match': String(sparse.headers.etag) })).statusCode, 304)

    const commented = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: 'A reader', body: 'Well put.' } })
    t.equal(commented.statusCode, 201)
    const after = await get(app, t, `/v1/articles/${article.id}`, undefined, { 'if-none-match': etag })
    t.equal(after.statusCode, 200, 'a new comment changes the answer (its commentCount)')
    t.equal(after.json().commentCount, 1)
    t.match(String(after.headers.etag), new RegExp(`^"article-${article.id}-v1\\.`), 'with the same version for If-Match')
  })

  t.test('a list has an ETag and If-None-Match gives 304 until it changes', async (t) => {
    await createArticle(app, t, { authorId: author.id, status: 'published' })
    const first = await get(app, t, '/v1/articles')
    const before = first.json().meta.total
    const etag = String(first.headers.etag)
    t.match(etag, /^"[^"]+"$/)
    const again = await get(app, t, '/v1/articles', undefined, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Another' })
    const changed = await get(app, t, '/v1/articles', undefined, { 'if-none-match': etag })
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().meta.total, before + 1)
  })

  t.test('PATCH with a stale If-Match is a 412 and changes nothing', async (t) => {
    const article = await createArticle(app, t, { title: 'Version one', authorId: author.id })
    const stale = String((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).headers.etag)
    t.equal((await patch(app, t, article.id, { title: 'Version two' })).statusCode, 200)
    const lost = await patch(app, t, article.id, { title: 'Lost update' }, adminSecret, { 'if-match': stale })
    assertProblem(t, lost, 412, 'precondition-failed')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().title, 'Version two')
  })

  t.test('PATCH with the current If-Match succeeds, also when it was read with fields= or include=', async (t) => {
    const article = await createArticle(app, t, { title: 'Version one', authorId: author.id })
    const current = String((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).headers.etag)
    const ok = await patch(app, t, article.id, { title: 'Version two' }, adminSecret, { 'if-match': current })
    t.equal(ok.statusCode, 200)
    t.equal(ok.json().title, 'Version two')
    const sparse = String((await get(app, t, `/v1/articles/${article.id}?fields=title&include=author`, adminSecret)).headers.etag)
    const ok2 = await patch(app, t, article.id, { title: 'Version three' }, adminSecret, { 'if-match': sparse })
    t.equal(ok2.statusCode, 200)
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().title, 'Version three')
  })

  t.test('the ETag a PATCH answers with is current for the next If-Match', async (t) => {
    const article = await createArticle(app, t, { title: 'One', authorId: author.id })
    const first = await patch(app, t, article.id, { title: 'Two' })
    const etag = String(first.headers.etag)
    t.match(etag, new RegExp(`^"article-${article.id}-v\\d+\\.`))
    const second = await patch(app, t, article.id, { title: 'Three' }, adminSecret, { 'if-match': etag })
    t.equal(second.statusCode, 200)
  })

  t.test('the ETag a POST answers with is current for If-Match', async (t) => {
    const created = await post(app, t, { title: 'Fresh', authorId: author.id })
    t.equal(created.statusCode, 201)
    const response = await patch(app, t, created.json().id, { title: 'Fresh, edited' }, adminSecret, { 'if-match': String(created.headers.etag) })
    t.equal(response.statusCode, 200)
    t.equal(response.json().title, 'Fresh, edited')
  })

  t.test('If-Match: * succeeds', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id })
    const response = await patch(app, t, article.id, { title: 'Any version' }, adminSecret, { 'if-match': '*' })
    t.equal(response.statusCode, 200)
    t.equal(response.json().title, 'Any version')
  })

  t.test('a weak If-Match tag never matches: 412', async (t) => {
    const article = await createArticle(app, t, { title: 'Strong only', authorId: author.id })
    const current = String((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).headers.etag)
    const response = await patch(app, t, article.id, { title: 'Weak' }, adminSecret, { 'if-match': `W/${current}` })
    assertProblem(t, response, 412, 'precondition-failed')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().title, 'Strong only')
  })

  t.test('DELETE with a stale If-Match is a 412 and deletes nothing; with the current one it deletes', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id })
    const stale = String((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).headers.etag)
    const changed = await patch(app, t, article.id, { title: 'Changed meanwhile' })
    assertProblem(t, await remove(app, t, article.id, adminSecret, { 'if-match': stale }), 412, 'precondition-failed')
    t.equal((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).json().title, 'Changed meanwhile')
    assertProblem(t, await remove(app, t, article.id, adminSecret, { 'if-match': `W/${String(changed.headers.etag)}` }), 412, 'precondition-failed')
    const current = String((await get(app, t, `/v1/articles/${article.id}`, adminSecret)).headers.etag)
    t.equal((await remove(app, t, article.id, adminSecret, { 'if-match': current })).statusCode, 204)
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}`, adminSecret), 404, 'not-found')
  })

  t.test('anonymous reads are publicly cacheable; reads with a token are private', async (t) => {
    const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
    for (const url of [`/v1/articles/${article.id}`, '/v1/articles']) {
      const anonymous = await get(app, t, url)
      t.equal(anonymous.headers['cache-control'], 'public, max-age=0, s-maxage=60', `${url} anonymous`)
      t.match(String(anonymous.headers.vary), /Authorization/i)
      const withToken = await get(app, t, url, await tokenFor(app, 'editor'))
      t.equal(withToken.headers['cache-control'], 'private, no-cache', `${url} with a token`)
      t.match(String(withToken.headers.vary), /Authorization/i)
    }
  })

  t.test('errors are kept by no cache', async (t) => {
    const missing = await get(app, t, '/v1/articles/999')
    t.equal(missing.statusCode, 404)
    t.equal(missing.headers['cache-control'], 'no-store', 'no cache keeps it: the article may be published next')
    t.notOk(missing.headers.etag, 'no ETag on a 404')
  })
})

t.test('an article takes up to 100 labels in a request; an import keeps every label', async (t) => {
  const { app, author } = await setup(t)
  const labels = Array.from({ length: 100 }, (_, n) => `Tag ${n + 1}`)
  const created = await post(app, t, { title: 'Many tags', authorId: author.id, labels })
  t.equal(created.statusCode, 201)
  t.same(created.json().labels, labels, 'all 100, in the given order')
  t.same((await get(app, t, `/v1/articles/${created.json().id}`, adminSecret)).json().labels, labels, 'read back')
  assertProblem(t, await post(app, t, { title: 'Too many tags', authorId: author.id, labels: [...labels, 'Tag 101'] }), 400, 'validation', 'body.labels')
})
