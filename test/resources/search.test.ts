import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// Full-text search (GET /v1/articles?q=), title suggestions (GET /v1/search/suggest) and
// related articles (GET /v1/articles/{id}/related), on small corpora written for these tests.

type Tap = Test
type Item = Record<string, any>


async function get (app: FastifyInstance, t: Tap, url: string, secret?: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: secret === undefined ? {} : bearer(secret) })
}

/** `/v1/articles?q=…&…`, every value percent-encoded (spaces as %20). */
function searchUrl (q: string, extra: Record<string, string | string[]> = {}): string {
  const parts = [`q=${encodeURIComponent(q)}`]
  for (const [name, value] of Object.entries(extra)) {
    for (const one of Array.isArray(value) ? value : [value]) parts.push(`${name}=${encodeURIComponent(one)}`)
  }
  return `/v1/articles?${parts.join('&')}`
}

async function search (app: FastifyInstance, t: Tap, q: string, extra: Record<string, string | string[]> = {}, secret?: string): Promise<Item> {
  const url = searchUrl(q, extra)
  const response = await get(app, t, url, secret)
  t.equal(response.statusCode, 200, `GET ${url}`, { body: response.body })
  return response.json()
}

async function hits (app: FastifyInstance, t: Tap, q: string, extra: Record<string, string | string[]> = {}, secret?: string): Promise<number[]> {
  return (await search(app, t, q, extra, secret)).data.map((item: Item) => item.id)
}

async function suggestions (app: FastifyInstance, t: Tap, q: string): Promise<Item[]> {
  const response = await get(app, t, `/v1/search/suggest?q=${encodeURIComponent(q)}`)
  t.equal(response.statusCode, 200, `suggest ${JSON.stringify(q)}`, { body: response.body })
  return response.json().data
}

/** The snippet with its <mark> tags taken out: what must be fully escaped. */
function unmarked (snippet: string): string {
  return snippet.replace(/<\/?mark>/g, '')
}

/**
 * The search corpus: eight published articles by two authors on distinct days, a draft and a
 * scheduled article. "zeppelin" is in one title, one label and one body (and the two hidden ones).
 */
async function corpus (t: Tap) {
  // More searches than one client may make in a minute by default.
  const app = await build(t, { searchRateLimit: 100_000 })
  const ada = await createAuthor(app, t, { name: 'Ada Reporter' })
  const bob = await createAuthor(app, t, { name: 'Bob Writer' })
  const published = (publishedAt: string) => ({ status: 'published', publishedAt })
  const titleHit = await createArticle(app, t, {
    authorId: ada.id, ...published('2026-01-10T09:00:00.000Z'), labels: ['Transport'],
    title: 'Zeppelin returns over the harbour',
    body: '<p>Crowds gathered at dawn to watch the airship drift past the lighthouse.</p>'
  })
  const labelHit = await createArticle(app, t, {
    authorId: ada.id, ...published('2026-01-11T09:00:00.000Z'), labels: ['Zeppelin'],
    title: 'Airship hangar reopens',
    body: '<p>The old hangar reopens to visitors after two winters of repairs.</p>'
  })
  const bodyHit = await createArticle(app, t, {
    authorId: ada.id, ...published('2026-01-12T09:00:00.000Z'), labels: ['Council'],
    title: 'Council budget approved',
    body: '<p>The council approved the budget on Tuesday, including a grant for a zeppelin museum, after a long debate about roads, schools, parks and the library.</p>'
  })
  const cafe = await createArticle(app, t, {
    authorId: ada.id, ...published('2026-01-13T09:00:00.000Z'), labels: ['Food'],
    title: 'Café reopens in Derna',
    body: '<p>The corner café reopens a month after the attack on the harbour wall.</p>'
  })
  const phrase = await createArticle(app, t, {
    authorId: ada.id, ...published('2026-01-14T09:00:00.000Z'), labels: ['Transport'],
    title: 'Ferry crossing restored',
    body: '<p>The ferry crossing at the old quay runs again from Monday.</p>'
  })
  const notPhrase = await createArticle(app, t, {
    authorId: ada.id, ...published('2026-01-15T09:00:00.000Z'), labels: ['Schools'],
    title: 'Crossing guards near the ferry terminal',
    body: '<p>New crossing guards will stand near the terminal used by the ferry.</p>'
  })
  const footbridge = await createArticle(app, t, {
    authorId: bob.id, ...published('2026-01-16T09:00:00.000Z'), labels: ['Transport', 'Council'],
    title: 'Footbridge study approved',
    body: '<p>A footbridge over the river is possible, say the engineers of the study.</p>'
  })
  const markup = await createArticle(app, t, {
    authorId: bob.id, ...published('2026-01-17T09:00:00.000Z'), labels: [],
    title: 'Markup <b> & "copy" desk',
    body: '<p>Writers typed &lt;b&gt;&amp;&quot; glyphs into the copy.</p>'
  })
  const draft = await createArticle(app, t, {
    authorId: ada.id, labels: ['Zeppelin'],
    title: 'Zeppelin secret plans',
    body: '<p>Unpublished notes on the zeppelin and the harbour.</p>'
  })
  const scheduled = await createArticle(app, t, {
    authorId: bob.id, status: 'published', publishedAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), labels: ['Transport'],
    title: 'Zeppelin parade next week',
    body: '<p>The zeppelin will fly over the harbour next week.</p>'
  })
  t.equal(scheduled.status, 'scheduled', 'a future publication is stored as scheduled')
  const editor = await tokenFor(app, 'editor')
  return { app, ada, bob, titleHit, labelHit, bodyHit, cafe, phrase, notPhrase, footbridge, markup, draft, scheduled, editor }
}

t.test('full-text search on GET /v1/articles?q=', async (t) => {
  const c = await corpus(t)
  const { app } = c
  const published = [c.titleHit, c.labelHit, c.bodyHit, c.cafe, c.phrase, c.notPhrase, c.footbridge, c.markup]

  t.test('a title match beats a label match, which beats a body-only match', async (t) => {
    const body = await search(app, t, 'zeppelin')
    t.same(body.data.map((item: Item) => item.id), [c.titleHit.id, c.labelHit.id, c.bodyHit.id])
    t.equal(body.meta.total, 3)
    t.same(body.meta, { total: 3, limit: 20, offset: 0, nextCursor: null })
    t.same(await hits(app, t, 'zeppelin', { sort: 'relevance' }), [c.titleHit.id, c.labelHit.id, c.bodyHit.id], 'sort=relevance is the default with q')
  })

  t.test('an explicit sort overrides relevance, and hits still carry snippets', async (t) => {
    const body = await search(app, t, 'zeppelin', { sort: '-publishedAt' })
    t.same(body.data.map((item: Item) => item.id), [c.bodyHit.id, c.labelHit.id, c.titleHit.id])
    for (const item of body.data) t.match(item.snippet, /<mark>/i)
    t.same(await hits(app, t, 'zeppelin', { sort: 'publishedAt' }), [c.titleHit.id, c.labelHit.id, c.bodyHit.id])
  })

  t.test('sort=relevance without q is a 400 naming querystring.sort', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?sort=relevance'), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(app, t, '/v1/articles?sort=-relevance'), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(app, t, '/v1/articles?sort=relevance', c.editor), 400, 'validation', 'querystring.sort')
  })

  t.test('several words must all match', async (t) => {
    t.same(await hits(app, t, 'zeppelin harbour'), [c.titleHit.id])
    t.same(await hits(app, t, 'harbour zeppelin'), [c.titleHit.id])
    t.same(await hits(app, t, 'zeppelin derna'), [])
    t.same((await hits(app, t, 'harbour')).sort(), [c.titleHit.id, c.cafe.id].sort())
  })

  t.test('a quoted phrase matches only the words side by side', async (t) => {
    t.same(await hits(app, t, '"ferry crossing"'), [c.phrase.id])
    t.same((await hits(app, t, 'ferry crossing')).sort(), [c.phrase.id, c.notPhrase.id].sort(), 'unquoted, both articles match')
    t.same(await hits(app, t, '"crossing ferry"'), [])
    t.same(await hits(app, t, 'quay "ferry crossing"'), [c.phrase.id], 'a phrase combines with words')
  })

  t.test('-word excludes articles containing it', async (t) => {
    t.same(await hits(app, t, 'ferry -quay'), [c.notPhrase.id])
    t.same(await hits(app, t, 'zeppelin -museum -dawn'), [c.labelHit.id], 'excluded words can be repeated')
    t.same(await hits(app, t, 'zeppelin -museum'), [c.titleHit.id, c.labelHit.id])
    t.same(await hits(app, t, 'ferry -"crossing guards"'), [c.phrase.id], 'an excluded phrase')
    t.same((await hits(app, t, 'ferry -nonexistentword')).sort(), [c.phrase.id, c.notPhrase.id].sort())
  })

  t.test('the last word matches as a prefix while typing, but not after a space or in a phrase', async (t) => {
    t.same(await hits(app, t, 'footbr'), [c.footbridge.id])
    t.same(await hits(app, t, 'river footbr'), [c.footbridge.id])
    t.same(await hits(app, t, 'footbr '), [], 'a trailing space ends the word')
    t.same(await hits(app, t, '"footbr"'), [], 'a phrase is never a prefix')
    t.same(await hits(app, t, 'footbr river'), [], 'only the last word is a prefix')
    t.same(await hits(app, t, 'zepp'), [c.titleHit.id, c.labelHit.id, c.bodyHit.id], 'ranked as the whole word would be')
  })

  t.test('matching ignores case and accents', async (t) => {
    for (const q of ['cafe', 'Café', 'CAFÉ', 'café', 'derna', 'DERNA', 'Derna', 'cafe derna ']) {
      t.same(await hits(app, t, q), [c.cafe.id], `q=${q}`)
    }
    t.same(await hits(app, t, 'ZEPPELIN'), [c.titleHit.id, c.labelHit.id, c.bodyHit.id])
  })

  t.test('English stemming: attacks finds attack', async (t) => {
    t.same(await hits(app, t, 'attacks '), [c.cafe.id], 'as a whole word')
    t.same(await hits(app, t, 'attacks harbour'), [c.cafe.id], 'not last')
    t.same(await hits(app, t, 'attacked'), [c.cafe.id])
    t.same((await hits(app, t, 'reopening ')).sort(), [c.labelHit.id, c.cafe.id].sort())
  })

  t.test('labels and the excerpt are searched', async (t) => {
    t.same((await hits(app, t, 'schools ')).sort(), [c.bodyHit.id, c.notPhrase.id].sort(), 'label Schools and a body word')
    t.same(await hits(app, t, 'food '), [c.cafe.id])
  })

  t.test('each hit has a snippet with the matched words marked', async (t) => {
    const body = await search(app, t, 'zeppelin')
    const [title, label, bodyOnly] = body.data
    t.match(title.snippet, /<mark>Zeppelin<\/mark>/)
    t.match(label.snippet, /<mark>Zeppelin<\/mark>/)
    t.match(bodyOnly.snippet, /<mark>zeppelin<\/mark> museum/)
    const stemmed = await search(app, t, 'attacks ')
    t.match(stemmed.data[0].snippet, /<mark>attack<\/mark>/, 'the word as written in the article is marked')
    const accent = await search(app, t, 'cafe')
    t.match(accent.data[0].snippet, /<mark>Café<\/mark>/)
    const typedStem = await search(app, t, 'attacked')
    t.match(typedStem.data[0].snippet, /<mark>attack<\/mark>/, 'a hit found only through another form of the word being typed')
  })

  t.test('a snippet escapes <, >, & and " in the text and adds only <mark>', async (t) => {
    const body = await search(app, t, 'glyphs')
    t.same(body.data.map((item: Item) => item.id), [c.markup.id])
    const snippet: string = body.data[0].snippet
    t.match(snippet, '&lt;b&gt;&amp;&quot; <mark>glyphs</mark>')
    const rest = unmarked(snippet)
    t.notMatch(rest, /[<>"]/, 'nothing but <mark> is unescaped')
    t.notMatch(rest, /&(?!(amp|lt|gt|quot);)/, 'every & starts an entity')
    const titled = await search(app, t, 'markup')
    const titleSnippet: string = titled.data[0].snippet
    t.match(titleSnippet, '<mark>Markup</mark> &lt;b&gt; &amp; &quot;copy&quot;')
    t.notMatch(unmarked(titleSnippet), /[<>"]/)
  })

  // Titles refuse control characters (a 400); a body's HTML keeps them as text.
  t.test('control characters in an article never become <mark> in its snippet', async (t) => {
    const planted = await createArticle(app, t, {
      authorId: c.bob.id, status: 'published', title: 'Lantern festival notes',
      body: '<p>The \u0001lantern\u0002 parade and the \u0002drums\u0001 passed the quayside.</p>'
    })
    for (const q of ['quayside', 'parade']) {
      const body = await search(app, t, q)
      t.same(body.data.map((item: Item) => item.id), [planted.id])
      const snippet: string = body.data[0].snippet
      t.same(snippet.match(/<mark>[^<]*<\/mark>/g), [`<mark>${q}</mark>`], `only the searched word is marked (q=${q})`)
      t.notMatch(snippet, /[\u0001\u0002]/, 'the control characters are left out')
    }
    await request(app, t, { method: 'DELETE', url: `/v1/articles/${planted.id}`, headers: bearer(adminSecret) })
  })

  t.test('fields= keeps the snippet', async (t) => {
    const response = await get(app, t, searchUrl('zeppelin', { fields: 'title' }))
    t.equal(response.statusCode, 200)
    const item = response.json().data[0]
    t.same(Object.keys(item).sort(), ['id', 'snippet', 'title'])
    t.equal(item.id, c.titleHit.id)
    t.match(item.snippet, /<mark>Zeppelin<\/mark>/)
  })

  t.test('a list without q has no snippets', async (t) => {
    const response = await get(app, t, '/v1/articles')
    t.equal(response.statusCode, 200)
    t.equal(response.json().data.length, published.length)
    for (const item of response.json().data) t.notOk('snippet' in item)
  })

  t.test('anonymous readers never find drafts or scheduled articles; editors do', async (t) => {
    t.same(await hits(app, t, 'zeppelin'), [c.titleHit.id, c.labelHit.id, c.bodyHit.id])
    t.same(await hits(app, t, 'secret plans'), [])
    t.same(await hits(app, t, 'parade'), [])
    const asEditor = await hits(app, t, 'zeppelin', {}, c.editor)
    t.same(asEditor.sort(), [c.titleHit.id, c.labelHit.id, c.bodyHit.id, c.draft.id, c.scheduled.id].sort())
    t.same(await hits(app, t, 'zeppelin', { status: 'draft' }, c.editor), [c.draft.id])
    t.same(await hits(app, t, 'zeppelin', { status: 'scheduled' }, c.editor), [c.scheduled.id])
    t.same(await hits(app, t, 'secret plans', {}, await tokenFor(app, 'author', c.ada.id)), [c.draft.id], 'an author finds their own draft')
    t.same(await hits(app, t, 'secret plans', {}, await tokenFor(app, 'author', c.bob.id)), [], 'but not someone else\'s')
    t.same(await hits(app, t, 'zeppelin', { status: 'draft' }), [], 'status=draft does not open drafts to anonymous readers')
  })

  t.test('q combines with label, author, date, from and to', async (t) => {
    t.same((await hits(app, t, 'approved')).sort(), [c.bodyHit.id, c.footbridge.id].sort())
    t.same(await hits(app, t, 'approved', { label: 'Transport' }), [c.footbridge.id])
    t.same((await hits(app, t, 'approved', { label: 'council' })).sort(), [c.bodyHit.id, c.footbridge.id].sort())
    t.same(await hits(app, t, 'approved', { label: ['Council', 'Transport'] }), [c.footbridge.id])
    t.same(await hits(app, t, 'approved', { author: c.bob.slug }), [c.footbridge.id])
    t.same(await hits(app, t, 'approved', { author: String(c.ada.id) }), [c.bodyHit.id])
    t.same(await hits(app, t, 'approved', { date: '2026-01-12' }), [c.bodyHit.id])
    t.same(await hits(app, t, 'approved', { from: '2026-01-13' }), [c.footbridge.id])
    t.same(await hits(app, t, 'approved', { to: '2026-01-13' }), [c.bodyHit.id])
    t.same(await hits(app, t, 'approved', { from: '2026-01-12T10:00:00Z', to: '2026-01-20' }), [c.footbridge.id])
    const counted = await search(app, t, 'approved', { label: 'Transport' })
    t.equal(counted.meta.total, 1)
    assertProblem(t, await get(app, t, searchUrl('approved', { author: 'nobody-at-all' })), 400, 'validation', 'querystring.author')
  })

  t.test('offset pagination over relevance', async (t) => {
    const first = await search(app, t, 'zeppelin', { limit: '2' })
    t.same(first.data.map((item: Item) => item.id), [c.titleHit.id, c.labelHit.id])
    t.equal(first.meta.total, 3)
    t.type(first.meta.nextCursor, 'string')
    const second = await search(app, t, 'zeppelin', { limit: '2', offset: '2' })
    t.same(second.data.map((item: Item) => item.id), [c.bodyHit.id])
    t.equal(second.meta.nextCursor, null)
  })

  t.test('a cursor walk over relevance visits every hit once, in the offset order', async (t) => {
    for (const secret of [undefined, c.editor]) {
      const all = await hits(app, t, 'the ', { limit: '100' }, secret)
      t.ok(all.length >= 8, `"the" is in most articles (${all.length})`)
      const walked: number[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const extra: Record<string, string> = { limit: '3' }
        if (cursor !== null) extra.cursor = cursor
        const page = await search(app, t, 'the ', extra, secret)
        t.ok(page.data.length <= 3)
        walked.push(...page.data.map((item: Item) => item.id))
        t.equal(page.meta.total, all.length)
        cursor = page.meta.nextCursor
        pages++
      } while (cursor !== null && pages < 20)
      t.same(walked, all, 'the walk matches the one-page order')
      t.equal(new Set(walked).size, walked.length, 'no hit twice')
    }
    const page = await search(app, t, 'the ', { limit: '2' })
    assertProblem(t, await get(app, t, `/v1/articles?cursor=${encodeURIComponent(page.meta.nextCursor)}`), 400, 'validation', 'querystring.cursor')
    assertProblem(t, await get(app, t, searchUrl('the ', { cursor: page.meta.nextCursor, sort: 'title' })), 400, 'validation', 'querystring.cursor')
  })

  t.test('a q without letters or digits is a 400 naming querystring.q', async (t) => {
    for (const q of ['"', '*', ':', '((', '-only', '-', '--', '   ', '""', '-"phrase"', '^', '***', '()', '\u0000', '"-"', '- -x']) {
      assertProblem(t, await get(app, t, searchUrl(q)), 400, 'validation', 'querystring.q')
    }
    assertProblem(t, await get(app, t, '/v1/articles?q='), 400, 'validation', 'querystring.q')
  })

  t.test('a q over 500 characters is a 400', async (t) => {
    assertProblem(t, await get(app, t, searchUrl('a'.repeat(501))), 400, 'validation', 'querystring.q')
    const longest = await get(app, t, searchUrl(`zeppelin ${'x'.repeat(491)}`))
    t.equal(longest.statusCode, 200, '500 characters are accepted')
  })

  t.test('hostile inputs never cause a 5xx: they find something, nothing, or are a 400', async (t) => {
    // [q, expected status, ids it must find (when 200)]
    const cases: Array<[string, number, number[]?]> = [
      ['NEAR(', 200, [c.notPhrase.id]], // the word near, as a prefix
      ['NEAR(zeppelin harbour)', 200, []], // "near zeppelin" is not in any article
      ['zeppelin AND harbour', 200, []],
      ['zeppelin OR derna', 200, []],
      ['AND', 200, [c.bodyHit.id]], // the word and
      ['OR', 200, []],
      ['NOT', 200, []],
      ['zeppelin NOT', 200, []],
      ['title:zeppelin', 200, []],
      ['title:', 200, []],
      ['{title body}: zeppelin', 200, []],
      ['(zeppelin', 200, undefined],
      ['zeppelin)', 200, undefined],
      ['((zeppelin))', 200, undefined],
      ['"zeppelin', 200, [c.titleHit.id, c.labelHit.id, c.bodyHit.id]],
      ['zeppelin"', 200, undefined],
      ['zepp"elin', 200, undefined],
      ['^zeppelin', 200, undefined],
      ['zeppelin^', 200, undefined],
      ['zeppelin*', 200, [c.titleHit.id, c.labelHit.id, c.bodyHit.id]],
      ['*zeppelin', 200, undefined],
      ['zeppelin + harbour', 200, [c.titleHit.id]],
      ['zep\u0000pelin', 200, undefined],
      ['zeppelin\u0000', 200, [c.titleHit.id, c.labelHit.id, c.bodyHit.id]],
      ['\u0007zeppelin\u001b', 200, [c.titleHit.id, c.labelHit.id, c.bodyHit.id]],
      ['zeppelin\tharbour', 200, [c.titleHit.id]],
      ['zeppelin\nharbour', 200, [c.titleHit.id]],
      ["'; DROP TABLE articles; --", 200, []],
      ['\\', 400],
      ['%', 400],
      ['🦀 zeppelin', 200, [c.titleHit.id, c.labelHit.id, c.bodyHit.id]], // an emoji is not a word
      ['zeppelin 🦀', 200, undefined],
      ['ἀρχή', 200, []],
      ['\u202Ezeppelin', 200, undefined],
      [`${'zeppelin '.repeat(55)}`, 200, [c.titleHit.id, c.labelHit.id, c.bodyHit.id]],
      ['a* b* c* d* e* f* g* h* i* j* k* l* m* n* o* p*', 200, undefined],
      ['x'.repeat(10_240), 400],
      ['"'.repeat(500), 400]
    ]
    t.ok(cases.length >= 15)
    for (const [q, status, expected] of cases) {
      const label = JSON.stringify(q.length > 60 ? `${q.slice(0, 30)}…(${q.length} chars)` : q)
      for (const secret of [undefined, c.editor]) {
        const response = await get(app, t, searchUrl(q), secret)
        t.ok(response.statusCode < 500, `q=${label} is not a 5xx`, { body: response.body })
        t.equal(response.statusCode, status, `q=${label} answers ${status}`, { body: response.body })
        if (status === 400) assertProblem(t, response, 400, 'validation', 'querystring.q')
        if (status === 200 && expected !== undefined && secret === undefined) {
          t.same(response.json().data.map((item: Item) => item.id).sort(), [...expected].sort(), `q=${label} finds what its words say`)
        }
      }
    }
    // Invalid UTF-8 and repeated q, written by hand.
    for (const url of ['/v1/articles?q=%ED%A0%80', '/v1/articles?q=%FF%FE', '/v1/articles?q=%', '/v1/articles?q=a&q=b', '/v1/search/suggest?q=%ED%A0%80']) {
      const response = await get(app, t, url)
      t.ok(response.statusCode < 500, `${url} is not a 5xx (${response.statusCode})`, { body: response.body })
    }
    // Still working afterwards.
    t.same(await hits(app, t, 'zeppelin'), [c.titleHit.id, c.labelHit.id, c.bodyHit.id])
  })
})

t.test('the index follows every write', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Index' })
  const editor = await tokenFor(app, 'editor')
  const other = await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Unrelated weather report', body: '<p>Rain again.</p>' })
  const created = await createArticle(app, t, {
    authorId: author.id, status: 'published', labels: ['Marsupials'],
    title: 'Quokka spotted downtown', body: '<p>A quokka was seen near the station.</p>'
  })
  const patch = async (payload: Record<string, unknown>) => {
    const response = await request(app, t, { method: 'PATCH', url: `/v1/articles/${created.id}`, headers: bearer(editor), payload })
    t.equal(response.statusCode, 200, `PATCH ${JSON.stringify(payload)}`, { body: response.body })
    return response.json()
  }

  t.same(await hits(app, t, 'quokka'), [created.id], 'a new article is found at once')
  t.same(await hits(app, t, 'marsupials'), [created.id], 'by its labels too')

  await patch({ title: 'Wombat spotted downtown' })
  t.same(await hits(app, t, 'wombat'), [created.id], 'a new title is found')
  t.same(await hits(app, t, 'quokka'), [created.id], 'the body still says quokka')
  t.same(await hits(app, t, 'spotted wombat'), [created.id])

  await patch({ body: '<p>A wombat dug under the fence.</p>' })
  t.same(await hits(app, t, 'quokka'), [], 'the old title and body are forgotten')
  t.same(await hits(app, t, 'fence'), [created.id], 'a new body is found')
  t.same(await hits(app, t, 'station'), [], 'and the old body (and its derived excerpt) forgotten')

  await patch({ labels: ['Burrowing animals'] })
  t.same(await hits(app, t, 'marsupials'), [], 'old labels are forgotten')
  t.same(await hits(app, t, 'burrowing'), [created.id], 'new labels are found')

  await patch({ excerpt: 'An echidna joined in.' })
  t.same(await hits(app, t, 'echidna'), [created.id], 'a given excerpt is found')
  const withSnippet = await search(app, t, 'echidna')
  t.match(withSnippet.data[0].snippet, /<mark>echidna<\/mark>/)
  await patch({ excerpt: null })
  t.same(await hits(app, t, 'echidna'), [], 'an excerpt returned to the derived one is forgotten')

  await patch({ markdown: 'The **platypus** arrived.' })
  t.same(await hits(app, t, 'platypus'), [created.id], 'a markdown body is indexed as text')
  t.same(await hits(app, t, 'strong'), [], 'tags are not indexed')

  await patch({ status: 'draft' })
  t.same(await hits(app, t, 'platypus'), [], 'unpublished: anonymous readers no longer find it')
  t.same(await hits(app, t, 'platypus', {}, editor), [created.id], 'editors still do')
  await patch({ status: 'published', slug: 'platypus-news' })
  t.same(await hits(app, t, 'platypus'), [created.id], 'published again (no words changed): found again')
  await patch({ title: 'Wombat spotted downtown' })
  t.same(await hits(app, t, 'platypus'), [created.id], 'the same title again')
  await patch({ status: 'draft' })

  const deleted = await request(app, t, { method: 'DELETE', url: `/v1/articles/${created.id}`, headers: bearer(editor) })
  t.equal(deleted.statusCode, 204)
  t.same(await hits(app, t, 'platypus', {}, editor), [], 'a deleted article is gone from the index')
  t.same(await hits(app, t, 'wombat', {}, editor), [])
  t.same(await hits(app, t, 'rain'), [other.id], 'other articles are untouched')
  const suggest = await suggestions(app, t, 'wom')
  t.same(suggest, [], 'and from suggestions')
})

t.test('GET /v1/search/suggest completes titles', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Sue Suggest' })
  const trams: Item[] = []
  for (let n = 1; n <= 12; n++) {
    trams.push(await createArticle(app, t, { authorId: author.id, status: 'published', title: `Tram line ${n} reopens`, body: '<p>Trams run again.</p>' }))
  }
  const ferryShort = await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Ferry', body: '<p>Boats.</p>' })
  const ferryLong = await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Notes from a long afternoon of ferry delays along the waterfront', body: '<p>Boats.</p>' })
  const bodyOnly = await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Harbour news', body: '<p>Ferry and tram timetables.</p>', labels: ['Ferry'] })
  const footbridge = await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Footbridge study approved', body: '<p>Engineers.</p>' })
  const cafe = await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Café reopens', body: '<p>Coffee.</p>' })
  await createArticle(app, t, { authorId: author.id, title: 'Tramway secrets draft', body: '<p>Hidden.</p>' })
  await createArticle(app, t, { authorId: author.id, title: 'Footbridge draft', body: '<p>Hidden.</p>' })
  await createArticle(app, t, { authorId: author.id, status: 'scheduled', publishedAt: new Date(Date.now() + 86_400_000).toISOString(), title: 'Footbridge opening ceremony', body: '<p>Soon.</p>' })

  t.test('answers up to 10 published titles, by prefix', async (t) => {
    const found = await suggestions(app, t, 'tra')
    t.equal(found.length, 10, 'at most 10')
    const tramIds = new Set(trams.map((tram) => tram.id))
    for (const item of found) {
      t.ok(tramIds.has(item.id), `${item.title} is a tram title`)
      t.same(Object.keys(item).sort(), ['id', 'slug', 'title'])
      const tram = trams.find((one) => one.id === item.id)!
      t.equal(item.slug, tram.slug)
      t.equal(item.title, tram.title)
    }
  })

  t.test('the last word is a prefix; earlier words are whole', async (t) => {
    t.same((await suggestions(app, t, 'footbr')).map((item) => item.id), [footbridge.id])
    t.same((await suggestions(app, t, 'footbridge stu')).map((item) => item.id), [footbridge.id])
    t.same((await suggestions(app, t, 'Footbridge study')).map((item) => item.title), ['Footbridge study approved'])
    t.same(await suggestions(app, t, 'footbr stu'), [])
    t.same((await suggestions(app, t, 'tram line 7')).map((item) => item.id), [trams[6]!.id])
    t.same((await suggestions(app, t, 'caf')).map((item) => item.id), [cafe.id])
    t.same((await suggestions(app, t, 'CAFÉ')).map((item) => item.id), [cafe.id])
  })

  t.test('only titles are matched, best first', async (t) => {
    const found = (await suggestions(app, t, 'ferr')).map((item) => item.id)
    t.same(found, [ferryShort.id, ferryLong.id], 'the shorter title first; the body and label match is not a title')
    t.notOk(found.includes(bodyOnly.id))
  })

  t.test('drafts and scheduled articles are never suggested, even to editors', async (t) => {
    t.same(await suggestions(app, t, 'tramway'), [])
    t.same((await suggestions(app, t, 'footb')).map((item) => item.id), [footbridge.id])
    const response = await get(app, t, '/v1/search/suggest?q=footb', await tokenFor(app, 'editor'))
    t.equal(response.statusCode, 200)
    t.same(response.json().data.map((item: Item) => item.id), [footbridge.id])
  })

  t.test('a q without letters, missing, empty or too long is a 400 naming querystring.q', async (t) => {
    for (const q of ['"', '*', ':', '((', '-only', '  ', '\u0000']) {
      assertProblem(t, await get(app, t, `/v1/search/suggest?q=${encodeURIComponent(q)}`), 400, 'validation', 'querystring.q')
    }
    assertProblem(t, await get(app, t, '/v1/search/suggest?q='), 400, 'validation', 'querystring.q')
    assertProblem(t, await get(app, t, '/v1/search/suggest'), 400, 'validation', 'querystring.q')
    assertProblem(t, await get(app, t, `/v1/search/suggest?q=${'x'.repeat(10_240)}`), 400, 'validation', 'querystring.q')
    assertProblem(t, await get(app, t, '/v1/search/suggest?q=tram&limit=3'), 400, 'validation')
  })

  t.test('FTS5 syntax in q never causes a 5xx', async (t) => {
    for (const q of ['NEAR(', 'title:', 'tram OR ferry', 'tram AND', '(tram', 'tram)', '"tram', '^tram', 'tram*', 'tram -line', 'tr\u0000am', '{title}: tram']) {
      const response = await get(app, t, `/v1/search/suggest?q=${encodeURIComponent(q)}`)
      t.equal(response.statusCode, 200, `q=${JSON.stringify(q)}`, { body: response.body })
    }
    t.same(await suggestions(app, t, 'tram -line'), [], 'exclusions work')
  })
})

t.test('related articles are looked for among the matches written nearest to the article', async (t) => {
  // Two on each side (`similarCandidates`, lowered for a small blog): an older or newer article
  // however close in words is not looked at past them, so the cost stays bounded on a large blog.
  const app = await build(t, { similarCandidates: 2 })
  const author = await createAuthor(app, t, { name: 'Nia Nearby' })
  const make = async (title: string) => (await createArticle(app, t, { authorId: author.id, status: 'published', title, body: `<p>${title}.</p>` })).id as number
  const farBefore = await make('Lighthouse keeper lantern repaired')
  const before = [await make('Lighthouse visit'), await make('Lantern fair')]
  const article = await make('Lighthouse keeper lantern')
  const after = [await make('Lantern parade'), await make('Lighthouse tours')]
  const farAfter = await make('Lighthouse keeper lantern restored')
  const response = await get(app, t, `/v1/articles/${article}/related?limit=20`)
  t.equal(response.statusCode, 200)
  const ids = response.json().data.map((item: Item) => item.id as number)
  t.same([...ids].sort((x, y) => x - y), [...before, ...after], 'the two nearest matches on each side, and only those')
  t.notOk(ids.includes(farBefore) || ids.includes(farAfter), 'closer in words but farther in time: not looked at')
  const fromFarAfter = (await get(app, t, `/v1/articles/${farAfter}/related?limit=20`)).json().data.map((item: Item) => item.id as number)
  t.same([...fromFarAfter].sort((x, y) => x - y), [after[0]!, after[1]!].sort((x, y) => x - y), 'the newest article: its two nearest older matches')
})

t.test('GET /v1/articles/{id}/related', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Rex Related' })
  const editor = await tokenFor(app, 'editor')
  const make = (title: string, body: string, labels: string[], extra: Record<string, unknown> = { status: 'published' }) =>
    createArticle(app, t, { authorId: author.id, title, body: `<p>${body}</p>`, labels, ...extra })
  // Labels of short words, so sharing a label is not also sharing a distinctive word.
  const target = await make('Harbour ferry timetable changes', 'The harbour ferry timetable changes in spring.', ['EU', 'UK'])
  const twoLabels = await make('Budget vote delayed', 'The vote on the budget was put off.', ['EU', 'UK'])
  const oneLabel = await make('Minister resigns', 'A minister stepped down on Friday.', ['UK'])
  const similar = await make('Harbour ferry timetable changes again', 'Another harbour ferry timetable change, with the timetable in print.', [])
  const lessSimilar = await make('Ferry fares rise', 'Fares for the ferry go up.', [])
  const draft = await make('Harbour ferry timetable draft', 'Harbour ferry timetable changes, unpublished.', ['EU', 'UK'], {})
  const scheduled = await make('Harbour ferry timetable preview', 'Harbour ferry timetable changes, soon.', ['EU', 'UK'], { status: 'scheduled', publishedAt: new Date(Date.now() + 86_400_000).toISOString() })
  const unrelated = await make('Gardening tips', 'Plant bulbs in autumn.', ['Garden'])
  const hidden = new Set([target.id, draft.id, scheduled.id, unrelated.id])

  async function related (url: string, secret?: string): Promise<Item> {
    const response = await get(app, t, url, secret)
    t.equal(response.statusCode, 200, `GET ${url}`, { body: response.body })
    return response.json()
  }

  t.test('ranks shared labels first, then text similarity', async (t) => {
    const body = await related(`/v1/articles/${target.id}/related`)
    t.same(body.data.map((item: Item) => item.id), [twoLabels.id, oneLabel.id, similar.id, lessSimilar.id])
    t.match(body.meta, { total: 4, nextCursor: null })
    for (const item of body.data) {
      t.equal(item.author?.id, author.id, 'each summary embeds its author')
      t.notOk('email' in item.author, 'without email for anonymous readers')
      t.notOk('body' in item, 'summaries, not whole articles')
      t.notOk(hidden.has(item.id), 'never itself, a draft, a scheduled article or an unrelated one')
    }
  })

  t.test('a label-sharing article ranks above the most similar article without shared labels', async (t) => {
    const ids = (await related(`/v1/articles/${target.slug}/related`)).data.map((item: Item) => item.id)
    t.ok(ids.indexOf(oneLabel.id) < ids.indexOf(similar.id), 'one shared label beats any amount of text similarity', { ids })
  })

  t.test('text similarity alone finds related articles, closest first, never itself', async (t) => {
    const ids = (await related(`/v1/articles/${similar.id}/related`)).data.map((item: Item) => item.id)
    t.notOk(ids.includes(similar.id))
    t.equal(ids[0], target.id)
    t.ok(ids.includes(lessSimilar.id))
    t.notOk(ids.includes(draft.id))
    t.notOk(ids.includes(scheduled.id))
    t.same((await related(`/v1/articles/${unrelated.id}/related`)).data, [], 'nothing in common: nothing related')
  })

  t.test('limit is 1 to 20, default 5', async (t) => {
    t.same((await related(`/v1/articles/${target.id}/related?limit=1`)).data.map((item: Item) => item.id), [twoLabels.id])
    t.same((await related(`/v1/articles/${target.id}/related?limit=2`)).data.map((item: Item) => item.id), [twoLabels.id, oneLabel.id])
    t.equal((await related(`/v1/articles/${target.id}/related?limit=20`)).data.length, 4)
    const defaulted = await related(`/v1/articles/${target.id}/related`)
    t.equal(defaulted.meta.limit, 5)
    assertProblem(t, await get(app, t, `/v1/articles/${target.id}/related?limit=0`), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, `/v1/articles/${target.id}/related?limit=21`), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, `/v1/articles/${target.id}/related?limit=many`), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, `/v1/articles/${target.id}/related?offset=1`), 400, 'validation')
  })

  t.test('the default limit is 5', async (t) => {
    for (let n = 1; n <= 6; n++) await make(`Ferry note ${n}`, 'A ferry note.', ['UK'])
    const body = await related(`/v1/articles/${target.id}/related`)
    t.equal(body.data.length, 5)
    t.equal(body.data[0].id, twoLabels.id)
    t.equal((await related(`/v1/articles/${target.id}/related?limit=20`)).data.length, 10)
  })

  t.test('an article the caller cannot see is a 404', async (t) => {
    assertProblem(t, await get(app, t, `/v1/articles/${draft.id}/related`), 404, 'not-found')
    assertProblem(t, await get(app, t, `/v1/articles/${draft.slug}/related`), 404, 'not-found')
    assertProblem(t, await get(app, t, `/v1/articles/${scheduled.id}/related`), 404, 'not-found')
    assertProblem(t, await get(app, t, '/v1/articles/99999/related'), 404, 'not-found')
    const asEditor = await related(`/v1/articles/${draft.id}/related`, editor)
    const ids = asEditor.data.map((item: Item) => item.id)
    t.notOk(ids.includes(draft.id), 'never itself')
    t.ok(ids.includes(target.id))
    t.notOk(ids.includes(scheduled.id), 'related articles are published ones, even for editors')
    const response = await get(app, t, `/v1/articles/${target.id}/related`, adminSecret)
    t.equal(response.statusCode, 200)
  })
})

t.test('search as you type finds a word at every prefix of it', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Tia Typist' })
  const article = await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Happiness index rises', body: '<p>Commuters report more happiness this spring.</p>' })
  const word = 'happiness'
  for (let length = 3; length <= word.length; length++) {
    const typed = word.slice(0, length)
    t.same(await hits(app, t, typed), [article.id], `q=${typed}`)
    t.same((await suggestions(app, t, typed)).map((item) => item.id), [article.id], `suggest q=${typed}`)
  }
})

t.test('a cursor walk over relevance handles ties (equal scores) without skipping or repeating', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Tom Twin' })
  const created: number[] = []
  for (let n = 0; n < 7; n++) {
    created.push((await createArticle(app, t, { authorId: author.id, status: 'published', title: 'Identical lighthouse story', body: '<p>The lighthouse keeper waved.</p>' })).id)
  }
  const walked: number[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const extra: Record<string, string> = { limit: '2' }
    if (cursor !== null) extra.cursor = cursor
    const page = await search(app, t, 'lighthouse', extra)
    walked.push(...page.data.map((item: Item) => item.id))
    t.equal(page.meta.total, 7)
    cursor = page.meta.nextCursor
    pages++
  } while (cursor !== null && pages < 10)
  t.equal(pages, 4)
  t.same(walked, created, 'equal scores come in id order, each once')
  t.same(await hits(app, t, 'lighthouse', { limit: '100' }), created)
})
