import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, lastingDatabaseUrl, request } from '../helper.js'
import { photo, uploaded } from '../media.js'

// Instances behind a load balancer share the database and the media folder: an image uploaded
// through one is served, embedded and deleted through any other.

t.test('two instances on one database and one media folder serve each other\'s uploads', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const mediaDir = mkdtempSync(join(tmpdir(), 'dateline-shared-media-'))
  t.teardown(() => rmSync(mediaDir, { recursive: true, force: true }))
  const first = await build(t, { databaseUrl, mediaDir })
  const second = await build(t, { databaseUrl, mediaDir })

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

t.test('a folder no image names (an upload that died between its files and its row) is swept; named ones stay', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const mediaDir = mkdtempSync(join(tmpdir(), 'dateline-sweep-media-'))
  t.teardown(() => rmSync(mediaDir, { recursive: true, force: true }))
  const first = await build(t, { databaseUrl, mediaDir })
  const image = await uploaded(first, t, { name: 'kept.jpg', data: await photo(320, 200) })
  await first.close()
  const orphan = join(mediaDir, 'abcdefabcdefabcdef12')
  mkdirSync(orphan)
  writeFileSync(join(orphan, 'lost-320w.jpg'), await photo(320, 200))

  const second = await build(t, { databaseUrl, mediaDir, mediaSweepAfterMs: 0 })
  const deadline = Date.now() + 10_000
  while (existsSync(orphan) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.notOk(existsSync(orphan), 'the orphan folder is removed soon after start')
  t.equal((await second.inject({ method: 'GET', url: image.variants[0].url })).statusCode, 200, 'the uploaded image is still served')
})
