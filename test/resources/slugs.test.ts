import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from '../helper.js'
import { assertProblem } from '../problems.js'

// Slugs that imitate other slugs with letters of another script (UTS #39 confusables).

const cyrillicO = '\u043E'

async function setup (t: Test) {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Zoë Lindqvist' })
  const post = async (payload: Record<string, unknown>) => await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { authorId: author.id, ...payload } })
  return { app, author, post }
}

t.test('a slug with a word mixing scripts is refused beside the real one, on articles and authors', async (t) => {
  const { app, post } = await setup(t)
  await createArticle(app, t, { title: 'Bus route 7', slug: 'bus-route-7', authorId: (await createAuthor(app, t)).id })
  const lookalike = `bus-r${cyrillicO}ute-7`
  assertProblem(t, await post({ title: 'Bus route 7 again', slug: lookalike }), 400, 'validation', 'body.slug')
  assertProblem(t, await post({ title: 'Another', slug: `r${cyrillicO}ute-nine` }), 400, 'validation', 'body.slug', )
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Zoe', slug: `z${cyrillicO}e` } }), 400, 'validation', 'body.slug')
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${encodeURIComponent(lookalike)}`, headers: bearer(adminSecret) })).statusCode, 404, 'nothing was created')
})

t.test('a slug in one script that imitates a taken slug is taken', async (t) => {
  const { app, post } = await setup(t)
  await post({ title: 'Cop show', slug: 'cop' })
  // "сор" is all Cyrillic: one script, but it reads as "cop".
  assertProblem(t, await post({ title: 'Imitation', slug: '\u0441\u043E\u0440' }), 409, 'slug-taken')
  const created = await post({ title: 'Another show', slug: 'cop-show' })
  t.equal(created.statusCode, 201)
  assertProblem(t, await request(app, t, { method: 'PATCH', url: `/v1/articles/${created.json().id}`, headers: bearer(adminSecret), payload: { slug: '\u0441\u043E\u0440' } }), 409, 'slug-taken')
})

t.test('a slug in one non-Latin script, or in the scripts Japanese mixes, stays allowed', async (t) => {
  const { post } = await setup(t)
  for (const slug of ['новости-города', 'ειδήσεις', '東京の天気', 'moscow-москва']) {
    const created = await post({ title: 'Local news', slug })
    t.equal(created.statusCode, 201, slug)
    t.equal(created.json().slug, slug)
  }
})

t.test('a slug made from a title with a look-alike letter follows the same rule', async (t) => {
  const { app, post } = await setup(t)
  await post({ title: 'Bus route 7', slug: 'bus-route-7' })
  const derived = await post({ title: `Bus r${cyrillicO}ute 7` })
  t.equal(derived.statusCode, 201)
  t.equal(derived.json().slug, 'bus-route-7-2', 'folded to the letters it imitates, then made unique')
  const author = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: `J${cyrillicO}hn` } })
  t.equal(author.json().slug, 'john')
})
