import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import t, { type Test } from 'tap'
import type { MediaBucketLocation } from '../../src/config.js'
import { cli } from '../cli-run.js'
import { adminSecret, bearer, build, createArticle, createAuthor, lastingDatabaseUrl, request } from '../helper.js'
import { photo, upload, uploaded } from '../media.js'
import { assertProblem } from '../problems.js'
import { bucketEnvironment, freshMediaBucket, s3TestEndpoint } from '../s3.js'

// Images in a bucket of a real S3-compatible server (DATELINE_TEST_S3_ENDPOINT): what the
// server and the CLI do with one beyond what every media test already checks on it (the
// suite's apps keep their images in the bucket when it is set).

function tempFolder (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-s3-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A TCP relay to the S3 server that the test can cut: the store stops answering, as a network or a store fails. */
async function cuttableRelay (t: Test): Promise<{ endpoint: string, cut: () => void, mend: () => void }> {
  const target = new URL(s3TestEndpoint()!)
  const sockets = new Set<Socket>()
  let open = true
  const relay = createServer((client) => {
    if (!open) return client.destroy()
    const upstream = connect(Number(target.port), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => { client.destroy(); upstream.destroy() })
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const socket of sockets) socket.destroy(); relay.close() })
  const { port } = relay.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cut: () => { open = false; for (const socket of sockets) socket.destroy() },
    mend: () => { open = true }
  }
}

t.test('a store that stops answering is a 503 with Retry-After, for files and uploads; an upload then leaves nothing behind', async (t) => {
  const relay = await cuttableRelay(t)
  const location: MediaBucketLocation = { ...await freshMediaBucket(t), endpoint: relay.endpoint }
  const app = await build(t, { mediaBucket: location })
  const image = await uploaded(app, t, { name: 'quay.jpg', data: await photo(640, 400) })
  t.equal((await app.inject({ method: 'GET', url: image.variants[0].url })).statusCode, 200, 'served while the store answers')

  relay.cut()
  const file = await app.inject({ method: 'GET', url: image.variants[0].url })
  assertProblem(t, file, 503, 'unavailable')
  t.ok(Number(file.headers['retry-after']) > 0, 'with Retry-After')
  t.notMatch(file.body, /dateline-test|secret|signature|127\.0\.0\.1|ECONNREFUSED/i, 'naming no key, bucket or host')
  const refused = await upload(app, t, { name: 'pier.jpg', data: await photo(640, 400) })
  assertProblem(t, refused, 503, 'unavailable')
  const listed = await request(app, t, { method: 'GET', url: '/v1/media', headers: bearer(adminSecret) })
  t.same(listed.json().data.map((item: { id: number }) => item.id), [image.id], 'no row for the refused upload')

  relay.mend()
  t.equal((await app.inject({ method: 'GET', url: image.variants[0].url })).statusCode, 200, 'served again once the store answers')
  const keys: string[] = []
  for await (const key of app.media.store.keys()) keys.push(key)
  t.same(keys, [image.variants[0].url.split('/')[2]], 'and the store holds the first image\'s files alone')
})

t.test('a server on a bucket that is not there does not start, and says why', async (t) => {
  const location = await freshMediaBucket(t)
  const run = await cli(['serve', '--port', '0'], { DATABASE_URL: ':memory:', DATELINE_DEMO: 'false', ...bucketEnvironment({ ...location, bucket: 'dateline-no-such-bucket' }) })
  t.not(run.code, 0, 'serve fails')
  t.match(run.stderr, /cannot use the media bucket s3:\/\/dateline-no-such-bucket\/test-[0-9a-f]+\/ at http:\/\/127\.0\.0\.1:\d+: there is no such bucket/)
})

t.test('backup copies the bucket\'s images beside the database; restore writes them into another bucket, or a folder', async (t) => {
  const dir = tempFolder(t)
  const file = join(dir, 'live', 'dateline.db')
  const live = await freshMediaBucket(t)
  const original = await build(t, { databaseUrl: file, mediaBucket: live })
  const image = await uploaded(original, t, { name: 'mill.jpg', data: await photo(800, 500) }, { alt: 'The old mill' })
  const author = await createAuthor(original, t)
  const article = await createArticle(original, t, { authorId: author.id, featuredImage: image.id, status: 'published' })
  await original.close()

  const backup = join(dir, 'backups', 'monday.db')
  const backedUp = await cli(['backup', backup], { DATABASE_URL: file, DATELINE_DEMO: 'false', ...bucketEnvironment(live) })
  t.equal(backedUp.code, 0, backedUp.stderr)
  t.match(backedUp.stdout, `Backed up the images of s3://dateline-tests/${live.prefix} to ${backup}.media (1 image,`)
  const key = image.variants[0].url.split('/')[2] as string
  t.same(readdirSync(`${backup}.media`), [key], 'the image\'s folder is in the backup')
  t.same(readdirSync(join(`${backup}.media`, key)).sort(), ['original', ...image.variants.map((variant: { url: string }) => variant.url.split('/')[3])].sort(), 'with its original and every variant')

  const elsewhere = await freshMediaBucket(t)
  const restoredFile = join(dir, 'elsewhere', 'dateline.db')
  const restored = await cli(['restore', backup], { DATABASE_URL: restoredFile, DATELINE_DEMO: 'false', ...bucketEnvironment(elsewhere) })
  t.equal(restored.code, 0, restored.stderr)
  t.match(restored.stdout, `Restored 1 image to s3://dateline-tests/${elsewhere.prefix}.`)
  const again = await cli(['restore', backup, '--force'], { DATABASE_URL: restoredFile, DATELINE_DEMO: 'false', ...bucketEnvironment(elsewhere) })
  t.equal(again.code, 0, again.stderr)
  t.notMatch(again.stdout, /Restored \d+ image/, 'restoring again writes no image the bucket has')

  const app = await build(t, { databaseUrl: restoredFile, mediaBucket: elsewhere })
  t.same((await app.inject({ method: 'GET', url: `/v1/articles/${article.id as number}` })).json().featuredImage, article.featuredImage, 'the article embeds its image as before')
  for (const variant of image.variants as Array<{ url: string, width: number }>) {
    const served = await app.inject({ method: 'GET', url: variant.url })
    t.equal(served.statusCode, 200, `${variant.url} is served from the other bucket`)
    t.equal((await sharp(served.rawPayload).metadata()).width, variant.width)
  }

  // From a bucket to a folder: the same backup, restored where no bucket is set.
  const folderFile = join(dir, 'folder', 'dateline.db')
  const toFolder = await cli(['restore', backup], { DATABASE_URL: folderFile, DATELINE_DEMO: 'false' })
  t.equal(toFolder.code, 0, toFolder.stderr)
  t.same(readdirSync(join(dir, 'folder', 'dateline-media')).filter((name) => name === key), [key], 'into the folder beside the database')
})

t.test('export puts the bucket\'s originals beside the file; import and media fetch write into a bucket', async (t) => {
  const source = await freshMediaBucket(t)
  const databaseUrl = await lastingDatabaseUrl(t)
  const app = await build(t, { databaseUrl, mediaBucket: source })
  const image = await uploaded(app, t, { name: 'harbour.jpg', data: await photo(1200, 800) }, { alt: 'The harbour', credit: 'Vell Herald' })
  const file = join(tempFolder(t), 'blog.ndjson')
  const exported = await cli(['export', file], { DATABASE_URL: databaseUrl, DATELINE_DEMO: 'false', ...bucketEnvironment(source) })
  t.equal(exported.code, 0, exported.stderr)
  const key = image.variants[0].url.split('/')[2] as string
  t.same(readdirSync(join(`${file}.media`, key)), ['original'], 'the original, read from the bucket')

  const target = await freshMediaBucket(t)
  const targetUrl = await lastingDatabaseUrl(t)
  const imported = await cli(['import', file], { DATABASE_URL: targetUrl, DATELINE_DEMO: 'false', ...bucketEnvironment(target) })
  t.equal(imported.code, 0, imported.stderr)
  t.match(imported.stdout, /^Images: 1 original from beside the file made uploads$/m)
  const copy = await build(t, { databaseUrl: targetUrl, mediaBucket: target })
  const item = (await request(copy, t, { method: 'GET', url: `/v1/media/${image.id as number}`, headers: bearer(adminSecret) })).json()
  t.match(item, { source: 'upload', alt: 'The harbour', credit: 'Vell Herald', width: 1200, height: 800 })
  for (const variant of item.variants as Array<{ url: string }>) {
    t.equal((await copy.inject({ method: 'GET', url: variant.url })).statusCode, 200, `${variant.url} is served from the target bucket`)
  }
})
