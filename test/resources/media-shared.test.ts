import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, lastingDatabaseUrl, request, sharedMedia } from '../helper.js'
import { photo, uploaded } from '../media.js'

// Instances behind a load balancer share the database and the media folder (or bucket): an
// image uploaded through one is served, embedded and deleted through any other.

t.test('two instances on one database and one media store serve each other\'s uploads', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const media = await sharedMedia(t)
  const first = await build(t, { databaseUrl, ...media })
  const second = await build(t, { databaseUrl, ...media })

  const image = await uploaded(first, t, { name: 'harbour.jpg', data: await photo(900, 600) }, { alt: 'The harbour' })
  for (const variant of image.variants) {
    const served = await second.inject({ method: 'GET', url: variant.url })
    t.equal(served.statusCode, 200, `${variant.url} from the other instance`)
    t.equal(served.headers['content-type'], variant.type)
  }
  const author = await createAuthor(second, t)
  const article = await createArticle(second, t, { authorId: author.id, featuredImage: image.id, status: 'published' })
  const listed = await request(first, t, { method: 'GET', url: '/v1/articles' })
  t.equal(article.featuredImage.id, image.id)
  t.same(listed.json().data.find((candidate: { id: number }) => candidate.id === article.id)?.featuredImage, article.featuredImage, 'both embed it alike')

  const deleted = await request(second, t, { method: 'DELETE', url: `/v1/media/${image.id}?force=true`, headers: bearer(adminSecret) })
  t.equal(deleted.statusCode, 204)
  t.equal((await first.inject({ method: 'GET', url: image.variants[0].url })).statusCode, 404, 'deleted through one, gone from both')
})

t.test('files no image names (an upload that died between its files and its row) are swept; named ones stay', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const media = await sharedMedia(t)
  const first = await build(t, { databaseUrl, ...media })
  const image = await uploaded(first, t, { name: 'kept.jpg', data: await photo(320, 200) })
  const orphan = 'abcdefabcdefabcdef12'
  await first.media.store.put(orphan, [{ name: 'lost-320w.jpg', data: await photo(320, 200) }])
  await first.close()

  const second = await build(t, { databaseUrl, ...media, mediaSweepAfterMs: 0 })
  const deadline = Date.now() + 10_000
  while ((await second.media.store.files(orphan)).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(await second.media.store.files(orphan), [], 'the orphan\'s files are removed soon after start')
  t.equal((await second.inject({ method: 'GET', url: image.variants[0].url })).statusCode, 200, 'the uploaded image is still served')
})
