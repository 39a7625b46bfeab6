import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// Abuse: the comment and search rate limits, spam heuristics (honeypot, time-to-submit, links), the
// body size limit, and hostile JSON (deep nesting, prototype keys).

type Tap = Test


async function setup (t: Tap, overrides: Parameters<typeof build>[1] = {}) {
  const app = await build(t, overrides)
  const author = await createAuthor(app, t, { name: 'Ada Reporter' })
  const other = await createAuthor(app, t, { name: 'Omar Haddad' })
  const article = await createArticle(app, t, { title: 'Bridge approved', authorId: author.id, status: 'published' })
  const second = await createArticle(app, t, { title: 'Market reopens', authorId: author.id, status: 'published' })
  return { app, author, other, article, second }
}

interface PostOptions { secret?: string, remoteAddress?: string, headers?: Record<string, string> }

async function post (app: FastifyInstance, t: Tap, article: string | number, payload: Record<string, unknown>, options: PostOptions = {}): Promise<LightMyRequestResponse> {
  const inject: InjectOptions & { method: string, url: string } = {
    method: 'POST',
    url: `/v1/articles/${article}/comments`,
    headers: { ...(options.secret === undefined ? {} : bearer(options.secret)), ...options.headers },
    payload: { authorName: 'A reader', body: 'A comment.', ...payload }
  }
  if (options.remoteAddress !== undefined) inject.remoteAddress = options.remoteAddress
  return request(app, t, inject)
}

/** Every comment on the article, any status, as the moderators' list shows it. */
async function stored (app: FastifyInstance, t: Tap, article: number): Promise<Array<Record<string, any>>> {
  const response = await request(app, t, { method: 'GET', url: `/v1/comments?article=${article}&limit=100`, headers: bearer(adminSecret) })
  t.equal(response.statusCode, 200)
  return response.json().data
}

async function publicIds (app: FastifyInstance, t: Tap, article: number): Promise<number[]> {
  const response = await request(app, t, { method: 'GET', url: `/v1/articles/${article}/comments?limit=100` })
  t.equal(response.statusCode, 200)
  return response.json().data.map((comment: { id: number }) => comment.id)
}

function assertRateLimited (t: Tap, response: LightMyRequestResponse): void {
  assertProblem(t, response, 429, 'rate-limited')
  const retryAfter = Number(response.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After is a number of seconds within the minute (${response.headers['retry-after']})`)
}

t.test('comment rate limit: 5 a minute per client and article by default', async (t) => {
  const { app, author, other, article, second } = await setup(t)

  t.test('the 6th comment from one client on one article is a 429 problem with Retry-After, and is not stored', async (t) => {
    for (let i = 1; i <= 5; i++) {
      const response = await post(app, t, article.id, { body: `Comment ${i}` })
      t.equal(response.statusCode, 201, `comment ${i} is accepted`)
    }
    assertRateLimited(t, await post(app, t, article.id, { body: 'Comment 6' }))
    assertRateLimited(t, await post(app, t, article.id, { body: 'Comment 7' }))
    t.equal((await stored(app, t, article.id)).length, 5, 'only the 5 accepted ones are stored')
  })

  t.test('the same client on another article is unaffected', async (t) => {
    const response = await post(app, t, second.id, { body: 'Elsewhere' })
    t.equal(response.statusCode, 201)
  })

  t.test('another client on the same article is unaffected', async (t) => {
    const response = await post(app, t, article.id, { body: 'From next door' }, { remoteAddress: '203.0.113.7' })
    t.equal(response.statusCode, 201)
  })

  t.test('a spoofed X-Forwarded-For does not make a new client', async (t) => {
    const response = await post(app, t, article.id, { body: 'Spoofed' }, { headers: { 'x-forwarded-for': '198.51.100.23' } })
    assertRateLimited(t, response)
  })

  t.test('the article\'s moderators are not limited: an editor, the article\'s author; another author is, in its own bucket', async (t) => {
    const editor = await tokenFor(app, 'editor')
    const own = await tokenFor(app, 'author', author.id)
    const foreign = await tokenFor(app, 'author', other.id)
    for (let i = 1; i <= 7; i++) {
      const response = await post(app, t, article.id, { body: `Desk reply ${i}` }, { secret: editor })
      t.equal(response.statusCode, 201, `editor comment ${i}`)
      t.equal(response.json().status, 'approved')
    }
    const fromAuthor = await post(app, t, article.id, { body: 'Author reply' }, { secret: own })
    t.equal(fromAuthor.statusCode, 201)
    t.equal(fromAuthor.json().status, 'approved')
    for (let i = 1; i <= 5; i++) {
      const fromOther = await post(app, t, article.id, { body: `Colleague ${i}` }, { secret: foreign })
      t.equal(fromOther.statusCode, 201, 'the token is a client of its own, not the address it shares with readers')
      t.equal(fromOther.json().status, 'pending', 'another author\'s token is not staff on this article')
    }
    assertRateLimited(t, await post(app, t, article.id, { body: 'Colleague 6' }, { secret: foreign }))
    // The anonymous client is still limited meanwhile.
    assertRateLimited(t, await post(app, t, article.id, { body: 'Still me' }))
  })
})

t.test('id and slug share one bucket', async (t) => {
  const { app, article } = await setup(t)
  for (let i = 1; i <= 3; i++) t.equal((await post(app, t, article.id, { body: `By id ${i}` })).statusCode, 201)
  for (let i = 1; i <= 2; i++) t.equal((await post(app, t, article.slug, { body: `By slug ${i}` })).statusCode, 201)
  assertRateLimited(t, await post(app, t, article.slug, { body: 'By slug, 6th' }))
  assertRateLimited(t, await post(app, t, article.id, { body: 'By id, 7th' }))
  t.equal((await stored(app, t, article.id)).length, 5)
})

t.test('every attempt counts, also rejected ones', async (t) => {
  const { app, article } = await setup(t)
  for (let i = 1; i <= 5; i++) {
    const response = await post(app, t, article.id, { authorName: '' })
    assertProblem(t, response, 400, 'validation')
  }
  assertRateLimited(t, await post(app, t, article.id, { body: 'A valid one, too late' }))
  t.equal((await stored(app, t, article.id)).length, 0)
})

t.test('commentRateLimit sets the number per minute', async (t) => {
  const { app, article } = await setup(t, { commentRateLimit: 2 })
  t.equal((await post(app, t, article.id, { body: 'One' })).statusCode, 201)
  t.equal((await post(app, t, article.id, { body: 'Two' })).statusCode, 201)
  assertRateLimited(t, await post(app, t, article.id, { body: 'Three' }))
})

t.test('search rate limit: searches and suggestions per client and minute', async (t) => {
  const { app } = await setup(t, { searchRateLimit: 3 })
  const get = async (url: string, remoteAddress?: string) => request(app, t, { method: 'GET', url, ...(remoteAddress === undefined ? {} : { remoteAddress }) })

  t.test('the 4th search from one client is a 429 problem with Retry-After', async (t) => {
    for (const q of ['bridge', 'market', 'bridge approved']) t.equal((await get(`/v1/articles?q=${encodeURIComponent(q)}`)).statusCode, 200, `search ${q}`)
    assertRateLimited(t, await get('/v1/articles?q=reopens'))
  })

  t.test('the same client\'s reads without q are not limited', async (t) => {
    for (let i = 1; i <= 5; i++) t.equal((await get('/v1/articles?limit=1')).statusCode, 200, `list ${i}`)
  })

  t.test('another client is not limited, and a spoofed X-Forwarded-For makes no new client', async (t) => {
    t.equal((await get('/v1/articles?q=bridge', '203.0.113.7')).statusCode, 200)
    assertRateLimited(t, await request(app, t, { method: 'GET', url: '/v1/articles?q=bridge', headers: { 'x-forwarded-for': '198.51.100.23' } }))
  })

  t.test('suggestions have a limit of their own, as large', async (t) => {
    for (let i = 1; i <= 3; i++) t.equal((await get('/v1/search/suggest?q=bri')).statusCode, 200, `suggestion ${i}`)
    assertRateLimited(t, await get('/v1/search/suggest?q=bri'))
    t.equal((await get('/v1/search/suggest?q=bri', '203.0.113.7')).statusCode, 200, 'another client is not limited')
  })
})

t.test('the search rate limit is 120 a minute by default', async (t) => {
  const { app } = await setup(t)
  for (let i = 1; i <= 120; i++) {
    const response = await app.inject({ method: 'GET', url: `/v1/articles?q=bridge${i % 2 === 0 ? '' : '%20'}` })
    if (response.statusCode !== 200) t.fail(`search ${i} answers ${response.statusCode}`)
  }
  assertRateLimited(t, await request(app, t, { method: 'GET', url: '/v1/articles?q=bridge' }))
})

t.test('spam heuristics', async (t) => {
  // Auto-approval on: what the heuristics hold back is then plain to see.
  const { app, article } = await setup(t, { commentsAutoApprove: true, commentRateLimit: 1000 })
  const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString()

  async function commentCount (): Promise<number> {
    return (await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}` })).json().commentCount
  }

  const moderator = await tokenFor(app, 'editor')

  /** The status an editor sees in the moderation API. */
  async function moderatorSees (id: number): Promise<string> {
    const response = await request(app, t, { method: 'GET', url: `/v1/comments/${id}`, headers: bearer(moderator) })
    t.equal(response.statusCode, 200)
    return response.json().status
  }

  t.test('a filled-in honeypot is answered "pending" but stored as spam, unlisted and uncounted', async (t) => {
    const count = await commentCount()
    const response = await post(app, t, article.id, { body: 'Buy now', website: 'https://spam.example/', authorEmail: 'bot@spam.example' })
    t.equal(response.statusCode, 201)
    const answered = response.json()
    t.equal(answered.status, 'pending', 'the poster is told it waits for moderation')
    t.notOk('authorEmail' in answered)
    t.equal(response.headers.location, `/v1/comments/${answered.id}`)
    t.equal(await moderatorSees(answered.id), 'spam', 'a moderator sees spam')
    const spamList = await request(app, t, { method: 'GET', url: `/v1/comments?status=spam&article=${article.id}`, headers: bearer(moderator) })
    t.ok(spamList.json().data.some((comment: { id: number }) => comment.id === answered.id), 'and finds it under status=spam')
    t.notOk((await publicIds(app, t, article.id)).includes(answered.id), 'readers never see it')
    t.equal(await commentCount(), count, 'it does not count')
  })

  t.test('an empty honeypot is a normal comment', async (t) => {
    const response = await post(app, t, article.id, { body: 'Human', website: '' })
    t.equal(response.statusCode, 201)
    t.equal(response.json().status, 'approved')
    t.equal(await moderatorSees(response.json().id), 'approved')
  })

  t.test('a form sent less than 3 s after it was shown is answered "pending" but stored as spam', async (t) => {
    for (const seconds of [0, 1, 2.5]) {
      const response = await post(app, t, article.id, { body: 'Fast', formStartedAt: secondsAgo(seconds) })
      t.equal(response.statusCode, 201)
      t.equal(response.json().status, 'pending', `${seconds} s: answered pending`)
      t.equal(await moderatorSees(response.json().id), 'spam', `${seconds} s: stored as spam`)
      t.notOk((await publicIds(app, t, article.id)).includes(response.json().id))
    }
  })

  t.test('a form sent 10 s after it was shown is a normal comment', async (t) => {
    const response = await post(app, t, article.id, { body: 'Considered', formStartedAt: secondsAgo(10) })
    t.equal(response.statusCode, 201)
    t.equal(response.json().status, 'approved')
    t.equal(await moderatorSees(response.json().id), 'approved')
    t.ok((await publicIds(app, t, article.id)).includes(response.json().id))
  })

  t.test('more than 2 links wait for a moderator even with auto-approval; 2 do not', async (t) => {
    const link = (n: number) => `<a href="https://example.org/${n}">link ${n}</a>`
    const count = await commentCount()
    const three = await post(app, t, article.id, { body: `<p>See ${link(1)}, ${link(2)} and ${link(3)}</p>` })
    t.equal(three.statusCode, 201)
    t.equal(three.json().status, 'pending', 'answered pending')
    t.equal(await moderatorSees(three.json().id), 'pending', 'and really pending (not spam)')
    t.notOk((await publicIds(app, t, article.id)).includes(three.json().id))
    t.equal(await commentCount(), count)
    const two = await post(app, t, article.id, { body: `<p>See ${link(1)} and ${link(2)}</p>` })
    t.equal(two.json().status, 'approved')
    t.equal(await commentCount(), count + 1)
  })

  t.test('staff are approved at once, honeypot, haste and links notwithstanding', async (t) => {
    const editor = await tokenFor(app, 'editor')
    const response = await post(app, t, article.id, {
      body: '<p><a href="https://a.example/">a</a> <a href="https://b.example/">b</a> <a href="https://c.example/">c</a></p>',
      website: 'filled',
      formStartedAt: secondsAgo(0)
    }, { secret: editor })
    t.equal(response.statusCode, 201)
    t.equal(response.json().status, 'approved')
    t.equal(await moderatorSees(response.json().id), 'approved')
  })

  t.test('without auto-approval, a human comment is pending and a honeypot one still spam', async (t) => {
    const { app, article } = await setup(t, { commentRateLimit: 1000 })
    const human = await post(app, t, article.id, { body: 'Considered', formStartedAt: secondsAgo(10) })
    t.equal(human.json().status, 'pending')
    const humanStored = await request(app, t, { method: 'GET', url: `/v1/comments/${human.json().id}`, headers: bearer(adminSecret) })
    t.equal(humanStored.json().status, 'pending')
    const bot = await post(app, t, article.id, { body: 'Bot', website: 'x' })
    t.equal(bot.json().status, 'pending')
    const botStored = await request(app, t, { method: 'GET', url: `/v1/comments/${bot.json().id}`, headers: bearer(adminSecret) })
    t.equal(botStored.json().status, 'spam')
  })
})

t.test('body size limit', async (t) => {
  t.test('with bodyLimit 2048 a larger body is a 413 problem, and nothing is stored', async (t) => {
    const { app, author, article } = await setup(t, { bodyLimit: 2048 })
    const big = 'word '.repeat(600)
    const tooLarge = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Too big', authorId: author.id, body: big } })
    assertProblem(t, tooLarge, 413, 'body-too-large')
    const patch = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { body: big } })
    assertProblem(t, patch, 413, 'body-too-large')
    const comment = await post(app, t, article.id, { body: big })
    assertProblem(t, comment, 413, 'body-too-large')
    const list = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(adminSecret) })
    t.equal(list.json().meta.total, 2, 'no article was added')
    t.equal((await stored(app, t, article.id)).length, 0, 'no comment was added')
    t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}` })).json().body, '<p>Some words.</p>', 'the article is unchanged')
    const small = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Small', authorId: author.id, body: '<p>Fits.</p>' } })
    t.equal(small.statusCode, 201, 'a body under the limit is fine')
  })

  t.test('the default 1 MiB limit accepts a 500 KB article and refuses 1.1 MB', async (t) => {
    const { app, author } = await setup(t)
    const html = `<p>${'word '.repeat(98_000).trim()}</p>`
    t.ok(html.length > 480_000 && html.length <= 500_000, `${html.length} characters`)
    const created = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Long read', authorId: author.id, body: html } })
    t.equal(created.statusCode, 201)
    const read = await request(app, t, { method: 'GET', url: `/v1/articles/${created.json().id}`, headers: bearer(adminSecret) })
    t.equal(read.json().body, html, 'stored whole')
    const huge = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Too long', authorId: author.id, body: 'x'.repeat(1_100_000) } })
    assertProblem(t, huge, 413, 'body-too-large')
  })
})

t.test('hostile JSON', async (t) => {
  const { app, author, article } = await setup(t, { commentRateLimit: 1000 })
  const json = { 'content-type': 'application/json' }

  async function raw (method: string, url: string, payload: string, secret?: string): Promise<LightMyRequestResponse> {
    return request(app, t, { method, url, headers: { ...json, ...(secret === undefined ? {} : bearer(secret)) }, payload })
  }

  t.test('deeply nested JSON is a 400, for readers and for editors', async (t) => {
    // (100 000 levels of objects is about 600 KB: still under the 1 MiB body limit.)
    for (const depth of [1_000, 10_000, 100_000]) {
      const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`
      const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
      assertProblem(t, await raw('POST', `/v1/articles/${article.id}/comments`, `{"authorName":"x","body":"y","website":${arrays}}`), 400, 'validation')
      assertProblem(t, await raw('POST', `/v1/articles/${article.id}/comments`, `{"authorName":"x","body":"y","extra":${objects}}`), 400, 'validation')
      assertProblem(t, await raw('POST', '/v1/articles', `{"title":"x","authorId":${author.id},"labels":${arrays}}`, adminSecret), 400, 'validation')
      assertProblem(t, await raw('PATCH', `/v1/articles/${article.id}`, `{"title":${objects}}`, adminSecret), 400, 'validation')
    }
    t.equal((await stored(app, t, article.id)).length, 0, 'nothing was stored')
    t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}` })).json().title, 'Bridge approved')
  })

  t.test('__proto__ and constructor.prototype keys are 400s, and pollute nothing', async (t) => {
    const cases: Array<[string, string, string, string?]> = [
      ['POST', `/v1/articles/${article.id}/comments`, '{"authorName":"x","body":"y","__proto__":{"status":"approved"}}'],
      ['POST', `/v1/articles/${article.id}/comments`, '{"authorName":"x","body":"y","constructor":{"prototype":{"status":"approved"}}}'],
      ['POST', '/v1/articles', `{"title":"x","authorId":${author.id},"__proto__":{"status":"published"}}`, adminSecret],
      ['POST', '/v1/articles', `{"title":"x","authorId":${author.id},"labels":[{"__proto__":{"polluted":true}}]}`, adminSecret],
      ['PATCH', `/v1/articles/${article.id}`, '{"__proto__":{"isAdmin":true},"title":"Hijacked"}', adminSecret],
      ['POST', '/v1/authors', '{"name":"x","__proto__":{"polluted":true}}', adminSecret],
      ['POST', '/v1/tokens', '{"role":"editor","__proto__":{"role":"admin"}}', adminSecret]
    ]
    for (const [method, url, payload, secret] of cases) {
      const response = await raw(method, url, payload, secret)
      assertProblem(t, response, 400, 'malformed-json')
    }
    t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is clean')
    t.equal(({} as Record<string, unknown>).isAdmin, undefined)
    t.equal(({} as Record<string, unknown>).status, undefined)
    t.equal((await stored(app, t, article.id)).length, 0, 'no comment was stored')
    t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}` })).json().title, 'Bridge approved', 'the article is unchanged')
    const articles = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(adminSecret) })
    t.equal(articles.json().meta.total, 2, 'no article was added')
  })
})
