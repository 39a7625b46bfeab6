import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'

// A search matching more articles than `rankedMatchLimit` ranks only its newest that-many
// matches; the others follow, newest first (issue 19, src/search/query.ts). These blogs are
// small, so the app is built with a bound of 4 (`rankedMatchLimit`, an option for tests).

type Item = Record<string, any>

const bound = 4

/** The ids of the harbour blog's twelve published articles, oldest first. */
type Twelve = [number, number, number, number, number, number, number, number, number, number, number, number]

async function search (app: FastifyInstance, t: Test, params: Record<string, string>, secret?: string): Promise<Item> {
  const url = `/v1/articles?${new URLSearchParams(params).toString().replace(/\+/g, '%20')}`
  const response = await request(app, t, { method: 'GET', url, headers: secret === undefined ? {} : bearer(secret) })
  t.equal(response.statusCode, 200, `GET ${url}`, { body: response.body })
  return response.json()
}

const ids = (page: Item): number[] => page.data.map((item: Item) => item.id)
const sorted = (list: number[]): number[] => [...list].sort((x, y) => x - y)

/**
 * Twelve published articles about the harbour, one a day (every other one about the ferry
 * too); the oldest two and the eleventh have "harbour" in their title. Then a draft, a
 * scheduled article and one in the trash, all about the harbour: the newest matches.
 */
async function harbourBlog (t: Test) {
  const app = await build(t, { searchRateLimit: 100_000, rankedMatchLimit: bound })
  const ada = await createAuthor(app, t, { name: 'Ada Harbourmaster' })
  const bob = await createAuthor(app, t, { name: 'Bob Pilot' })
  const published: Item[] = []
  for (let day = 1; day <= 12; day++) {
    const titled = day <= 2 || day === 11
    published.push(await createArticle(app, t, {
      authorId: day % 2 === 0 ? ada.id : bob.id,
      status: 'published',
      publishedAt: `2026-02-${String(day).padStart(2, '0')}T09:00:00.000Z`,
      title: titled ? `Harbour news, day ${day}` : `Morning report, day ${day}`,
      body: `<p>Boats came into the harbour on day ${day}.${day % 2 === 0 ? ' The ferry ran late.' : ''} Gulls followed them.</p>`
    }))
  }
  const draft = await createArticle(app, t, { authorId: ada.id, title: 'Notes for later', body: '<p>The harbour wall needs repairs; the ferry too.</p>' })
  const scheduled = await createArticle(app, t, {
    authorId: bob.id, status: 'published', publishedAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    title: 'Next week', body: '<p>A regatta in the harbour.</p>'
  })
  t.equal(scheduled.status, 'scheduled')
  const trashed = await createArticle(app, t, { authorId: bob.id, status: 'published', title: 'Harbour gone', body: '<p>The harbour, the ferry.</p>' })
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${trashed.id}`, headers: bearer(adminSecret) })).statusCode, 204)
  const editor = await tokenFor(app, 'editor')
  const adaToken = await tokenFor(app, 'author', ada.id)
  return { app, ada, published, draft, scheduled, trashed, editor, adaToken }
}

/** Every page of a search by offset and by cursor, as one list of ids, checked against `all`. */
async function walkEveryWay (t: Test, app: FastifyInstance, params: Record<string, string>, all: number[], total: number, secret?: string): Promise<void> {
  for (const limit of [2, 5]) {
    const byOffset: number[] = []
    for (let offset = 0; offset < all.length + limit; offset += limit) {
      const page = await search(app, t, { ...params, limit: String(limit), offset: String(offset) }, secret)
      t.equal(page.meta.total, total, `total at offset ${offset}`)
      byOffset.push(...ids(page))
    }
    t.same(byOffset, all, `offset pages of ${limit} read the one-page order`)
    const byCursor: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Item = await search(app, t, { ...params, limit: String(limit), ...(cursor === null ? {} : { cursor }) }, secret)
      t.equal(page.meta.total, total)
      t.equal(page.meta.offset, byCursor.length, 'a cursor page knows its offset')
      byCursor.push(...ids(page))
      cursor = page.meta.nextCursor
      pages++
    } while (cursor !== null && pages <= all.length + 1)
    t.same(byCursor, all, `cursor pages of ${limit} read the one-page order`)
  }
}

t.test('a search with more matches than the bound', async (t) => {
  const blog = await harbourBlog(t)
  const { app, published } = blog
  const [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12] = published.map((article) => article.id as number) as Twelve

  t.test('ranks the newest matches its reader may see and lists the others newest first', async (t) => {
    const page = await search(app, t, { q: 'harbour ', limit: '100' })
    // The newest four a reader may see are a12, a11, a10 and a9 (the draft and the scheduled one,
    // newer, are not theirs to see): a11, a title match, leads them; a2 and a1 are title matches
    // too, but older, so they come in date order, last.
    t.same(ids(page)[0], a11, 'the title match first')
    t.same(sorted(ids(page).slice(1, 4)), sorted([a12, a10, a9]), 'then the other ranked ones (in the order each database scores them)')
    t.same(ids(page).slice(4), [a8, a7, a6, a5, a4, a3, a2, a1], 'then the rest, newest first')
    t.equal(page.meta.total, 12)
    for (const item of page.data) t.match(item.snippet, /<mark>harbour<\/mark>/i, 'every hit has its snippet')
  })

  t.test('an editor ranks the newest of all it may see: drafts and scheduled articles too', async (t) => {
    const page = await search(app, t, { q: 'harbour ', limit: '100' }, blog.editor)
    t.same(ids(page)[0], a11)
    t.same(sorted(ids(page).slice(1, 4)), sorted([blog.draft.id, blog.scheduled.id, a12]))
    t.same(ids(page).slice(4), [a10, a9, a8, a7, a6, a5, a4, a3, a2, a1])
  })

  t.test('totals are exact with drafts, scheduled and trashed articles among the matches', async (t) => {
    t.equal((await search(app, t, { q: 'harbour ' })).meta.total, 12, 'anonymous: the published ones')
    t.equal((await search(app, t, { q: 'harbour ' }, blog.editor)).meta.total, 14, 'an editor: also the draft and the scheduled one, not the trashed one')
    t.equal((await search(app, t, { q: 'harbour ' }, blog.adaToken)).meta.total, 13, 'an author: also their own draft')
    t.equal((await search(app, t, { q: 'harbour ferry ' })).meta.total, 6)
    t.equal((await search(app, t, { q: 'harbour ferry ' }, blog.editor)).meta.total, 7)
    t.equal((await search(app, t, { q: 'harbour -ferry' })).meta.total, 6)
    t.equal((await search(app, t, { q: 'harbour -ferry' }, blog.editor)).meta.total, 7)
    t.equal((await search(app, t, { q: 'harbour fer' })).meta.total, 6, 'a typed prefix with a whole word')
    t.equal((await search(app, t, { q: 'harb' }, blog.adaToken)).meta.total, 13, 'a typed prefix alone')
  })

  t.test('paging across the ranked and the unranked matches: none twice, none missing', async (t) => {
    const cases: Array<[string, string | undefined]> = [
      ['harbour ', undefined], ['harbour', undefined], ['harbour fer', undefined], ['harbour -ferry', undefined], ['gulls harbour ', undefined],
      ['harbour ', blog.editor], ['harbour fer', blog.editor], ['harbour ', blog.adaToken], ['harbour -ferry', blog.adaToken]
    ]
    for (const [q, secret] of cases) {
      {
        const all = ids(await search(app, t, { q, limit: '100' }, secret))
        const total = (await search(app, t, { q }, secret)).meta.total
        t.equal(all.length, total, `${q}: the total counts every hit`)
        t.equal(new Set(all).size, all.length, `${q}: no hit twice`)
        await walkEveryWay(t, app, { q }, all, total, secret)
      }
    }
  })

  t.test('sort=-relevance reads the same order backwards', async (t) => {
    for (const secret of [undefined, blog.editor]) {
      const forwards = ids(await search(app, t, { q: 'harbour ', limit: '100' }, secret))
      const backwards = ids(await search(app, t, { q: 'harbour ', limit: '100', sort: '-relevance' }, secret))
      t.same(backwards, [...forwards].reverse())
      await walkEveryWay(t, app, { q: 'harbour ', sort: '-relevance' }, backwards, backwards.length, secret)
    }
  })

  t.test('sort=-publishedAt over many matches is by date, and pages consistently', async (t) => {
    const page = await search(app, t, { q: 'harbour', sort: '-publishedAt', limit: '100' })
    t.same(ids(page), [...published].reverse().map((article) => article.id))
    t.equal(page.meta.total, 12)
    await walkEveryWay(t, app, { q: 'harbour', sort: '-publishedAt' }, ids(page), 12)
    const editorPage = await search(app, t, { q: 'harbour', sort: 'publishedAt', limit: '100' }, blog.editor)
    t.equal(editorPage.meta.total, 14)
    t.equal(editorPage.data.length, 14)
    await walkEveryWay(t, app, { q: 'harbour', sort: 'publishedAt' }, ids(editorPage), 14, blog.editor)
  })

  t.test('filters still apply, with exact totals, and rank the newest matches they let through', async (t) => {
    const byAda = await search(app, t, { q: 'harbour ', author: String(blog.ada.id), limit: '100' })
    t.same(sorted(ids(byAda)), sorted(published.filter((article) => article.authorId === blog.ada.id).map((article) => article.id)))
    t.same(sorted(ids(byAda).slice(0, 4)), sorted([a12, a10, a8, a6]), 'Ada\'s newest four are ranked')
    t.same(ids(byAda).slice(4), [a4, a2], 'her older ones follow by date, a title match too')
    t.equal(byAda.meta.total, 6)
    await walkEveryWay(t, app, { q: 'harbour ', author: String(blog.ada.id) }, ids(byAda), 6)
    const early = await search(app, t, { q: 'harbour ', to: '2026-02-03', limit: '100' })
    t.same(early.meta.total, 3)
    t.same(sorted(ids(early).slice(0, 2)), sorted([a1, a2]), 'no more matches than the bound: all ranked, the title matches first')
    t.same(ids(early)[2], a3)
  })

  t.test('a write moves the bound: the newest matches are ranked again', async (t) => {
    const newer = await createArticle(app, t, { authorId: blog.ada.id, status: 'published', title: 'Harbour festival', body: '<p>Music by the harbour.</p>' })
    const page = await search(app, t, { q: 'harbour ', limit: '100' })
    t.equal(page.meta.total, 13)
    // The newest four a reader sees are now the new one, a12, a11 and a10: a9 has left them.
    t.same(sorted(ids(page).slice(0, 2)), sorted([newer.id, a11]), 'the title matches first')
    t.same(sorted(ids(page).slice(2, 4)), sorted([a12, a10]), 'then the other two ranked')
    t.same(ids(page).slice(4, 6), [a9, a8], 'then the rest by date')
  })
})

t.test('a search with no more matches than the bound is ranked as it always was', async (t) => {
  const app = await build(t, { searchRateLimit: 100_000, rankedMatchLimit: bound })
  const author = await createAuthor(app, t, { name: 'Cy Reporter' })
  const make = async (day: number, title: string, body: string, labels: string[] = []) => (await createArticle(app, t, {
    authorId: author.id, status: 'published', publishedAt: `2026-03-0${day}T09:00:00.000Z`, title, body: `<p>${body}</p>`, labels
  })).id as number
  const titleHit = await make(1, 'Zeppelin over the bay', 'An airship drifted past.')
  const labelHit = await make(2, 'Hangar reopens', 'Visitors are back.', ['Zeppelin'])
  const bodyHit = await make(3, 'Council budget', 'A grant for a zeppelin museum, after a long debate about roads and schools.')
  await make(4, 'Unrelated', 'Nothing to see.')
  for (const q of ['zeppelin', 'zeppelin ', 'zepp']) {
    const page = await search(app, t, { q })
    t.same(ids(page), [titleHit, labelHit, bodyHit], `${q}: title, then label, then body match, whatever the date`)
    t.equal(page.meta.total, 3)
  }
})
