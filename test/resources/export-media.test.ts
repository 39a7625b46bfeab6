import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import sharp from 'sharp'
import t, { type Test } from 'tap'
import { cli, lines } from '../cli-run.js'
import { adminSecret, bearer, build, checkAgainstDocument, createArticle, createAuthor, lastingDatabaseUrl, request } from '../helper.js'
import { photo, transparentPng, uploaded } from '../media.js'

// Images in Dateline's own export (issue 21): a media line per item, articles' featuredImage,
// each upload's file at the API (GET /v1/export) or its original beside the file (`dateline
// export <file>`); read back by the import as external items at those addresses, or, with
// the originals beside the file (`dateline import`), as uploads. On the suite's database.

type Item = Record<string, any>

function tempFolder (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-export-media-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Image folders (keys) in a media folder. */
const keysIn = (folder: string): string[] => readdirSync(folder).filter((name) => /^[0-9a-f]{20}$/.test(name)).sort()

async function getJson (app: FastifyInstance, t: Test, url: string): Promise<Item> {
  const response = await request(app, t, { method: 'GET', url, headers: bearer(adminSecret) })
  t.equal(response.statusCode, 200, `GET ${url}`)
  return response.json()
}

async function exportText (app: FastifyInstance, t: Test): Promise<string> {
  const response = await app.inject({ method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })
  checkAgainstDocument(app, t, 'GET', '/v1/export', Object.assign(Object.create(response) as LightMyRequestResponse, { json: () => response.body }))
  t.equal(response.statusCode, 200, 'the export answers 200')
  return response.body
}

async function importText (app: FastifyInstance, t: Test, text: string, query = ''): Promise<Item> {
  const response = await request(app, t, { method: 'POST', url: `/v1/import${query}`, headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: text })
  t.equal(response.statusCode, 200, `POST /v1/import${query}`, { body: response.body.slice(0, 500) })
  return response.json()
}

const parsed = (text: string): Item[] => lines(text).map((line) => JSON.parse(line) as Item)
const byType = (rows: Item[], type: string): Item[] => rows.filter((row) => row.type === type)

/** A blog with two uploads (one with words and a focal point), featured on two of three articles. */
async function blogWithImages (t: Test): Promise<{ app: FastifyInstance, databaseUrl: string, mediaDir: string, images: Item[], articles: Item[] }> {
  const databaseUrl = await lastingDatabaseUrl(t)
  const mediaDir = tempFolder(t)
  const app = await build(t, { databaseUrl, mediaDir })
  const author = await createAuthor(app, t, { name: 'Ana Reyes' })
  const harbour = await uploaded(app, t, { name: 'harbour.jpg', data: await photo(1800, 1200), type: 'image/jpeg' }, { alt: 'The harbour at dawn', caption: 'Boats coming in', credit: 'Photo: Ana Reyes' })
  const focused = await request(app, t, { method: 'PATCH', url: `/v1/media/${harbour.id as number}`, headers: bearer(adminSecret), payload: { focalPoint: { x: 0.25, y: 0.75 } } })
  t.equal(focused.statusCode, 200)
  const badge = await uploaded(app, t, { name: 'badge.png', data: await transparentPng(400, 300), type: 'image/png' }, { alt: 'A red badge' })
  const articles = [
    await createArticle(app, t, { title: 'At the harbour', authorId: author.id, status: 'published', featuredImage: harbour.id }),
    await createArticle(app, t, { title: 'Our badge', authorId: author.id, status: 'published', featuredImage: badge.id }),
    await createArticle(app, t, { title: 'No picture', authorId: author.id })
  ]
  const images = await Promise.all([harbour.id, badge.id].map(async (id: number) => await getJson(app, t, `/v1/media/${id}`)))
  return { app, databaseUrl, mediaDir, images, articles }
}

/** What a media line says of an item, but where its file is. */
function describedBy (item: Item): Item {
  return {
    type: 'media',
    id: item.id,
    key: item.url.split('/')[2],
    source: 'upload',
    ownerAuthorId: item.ownerAuthorId,
    fileName: item.fileName,
    alt: item.alt,
    caption: item.caption,
    credit: item.credit,
    focalPoint: item.focalPoint,
    format: item.type.replace('image/', ''),
    width: item.width,
    height: item.height,
    externalUrl: null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt
  }
}

t.test('GET /v1/export: a media line per item with its file at the API, before the articles that feature it; imported elsewhere as external items', async (t) => {
  const { app, images, articles } = await blogWithImages(t)
  const text = await exportText(app, t)
  const rows = parsed(text)
  t.equal(rows[0]!.counts.media, 2, 'the header counts the images')
  const mediaLines = byType(rows, 'media')
  t.same(mediaLines.map((line) => { const { url: _url, ...rest } = line; return rest }), images.map(describedBy), 'each item\'s words, focal point, format and size')
  for (const [index, line] of mediaLines.entries()) {
    t.equal(line.url, `http://localhost${images[index]!.url as string}`, `media ${line.id as number}: its largest file in a format every browser shows, at the request's origin`)
    const served = await app.inject({ method: 'GET', url: new URL(line.url).pathname })
    t.equal(served.statusCode, 200, 'which the API serves')
    const decoded = await sharp(served.rawPayload).metadata()
    t.same([decoded.width, decoded.height], [images[index]!.width, images[index]!.height], 'at the image\'s own size')
  }
  const lastMedia = rows.findLastIndex((row) => row.type === 'media')
  t.ok(lastMedia < rows.findIndex((row) => row.type === 'article'), 'images come before every article')
  t.same(byType(rows, 'article').map((line) => [line.id, line.featuredImage]), articles.map((article, index) => [article.id, images[index]?.id ?? null]), 'articles name their featured image, or null')

  const fresh = await build(t, { databaseUrl: await lastingDatabaseUrl(t), mediaDir: tempFolder(t) })
  const dry = await importText(fresh, t, text, '?dryRun=true')
  t.same(dry.counts.media, { created: 2, updated: 0, unchanged: 0, skipped: 0 }, 'a dry run reports the images')
  t.equal((await getJson(fresh, t, '/v1/media?limit=1')).meta.total, 0, 'and writes none')

  const report = await importText(fresh, t, text)
  t.same(report.counts.media, { created: 2, updated: 0, unchanged: 0, skipped: 0 })
  t.same(report.counts.articles, { created: 3, updated: 0, unchanged: 0, skipped: 0 })
  for (const [index, line] of mediaLines.entries()) {
    const item = await getJson(fresh, t, `/v1/media/${line.id as number}`)
    t.match(item, { id: images[index]!.id, source: 'external', externalUrl: line.url, url: line.url, alt: line.alt, caption: line.caption, credit: line.credit, focalPoint: line.focalPoint, fileName: line.fileName, width: null, variants: [] }, `media ${line.id as number}: external, at the exported address, ready for dateline media fetch`)
  }
  for (const [index, article] of articles.entries()) {
    const read = await getJson(fresh, t, `/v1/articles/${article.id as number}`)
    t.equal(read.featuredImage?.id ?? null, images[index]?.id ?? null, `article ${article.slug as string} keeps its featured image`)
  }
  const again = await importText(fresh, t, text)
  t.same(again.counts.media, { created: 0, updated: 0, unchanged: 2, skipped: 0 }, 'importing again: the images are unchanged')
  t.same(again.counts.articles, { created: 0, updated: 0, unchanged: 3, skipped: 0 }, 'and so are the articles')
  t.equal((await getJson(fresh, t, '/v1/media?limit=1')).meta.total, 2, 'nothing duplicated')
})

t.test('dateline export <file> puts the originals beside it; dateline import makes them uploads again', async (t) => {
  const { databaseUrl, mediaDir, images, articles } = await blogWithImages(t)
  const dir = tempFolder(t)
  const env = { DATABASE_URL: databaseUrl, DATELINE_MEDIA_DIR: mediaDir, DATELINE_DEMO: 'false' }
  const file = join(dir, 'blog.ndjson')
  const run = await cli(['export', file], env)
  t.equal(run.code, 0, 'export exits 0')
  t.same([run.stdout, run.stderr], ['', `Exported to ${file}; 2 images (originals) in ${file}.media/\n`], 'nothing on stdout; stderr says where the images went')
  const keys = images.map((item) => item.url.split('/')[2] as string)
  t.same(keysIn(`${file}.media`), [...keys].sort(), 'a folder per upload')
  for (const key of keys) {
    t.same(readdirSync(join(`${file}.media`, key)), ['original'], `${key}: its original alone`)
    t.same(readFileSync(join(`${file}.media`, key, 'original')), readFileSync(join(mediaDir, key, 'original')), `${key}: the very file`)
  }
  const mediaLines = byType(parsed(readFileSync(file, 'utf8')), 'media')
  for (const [index, line] of mediaLines.entries()) {
    t.equal(fileURLToPath(line.url), join(mediaDir, images[index]!.url.replace('/media/', '')), `media ${line.id as number}: its url is its file in the media folder`)
  }

  const toStdout = await cli(['export'], env)
  t.equal(byType(parsed(toStdout.stdout), 'media').length, 2, 'to stdout: the media lines')
  t.same(readdirSync(dir).sort(), ['blog.ndjson', 'blog.ndjson.media'], 'and no folder')

  const targetUrl = await lastingDatabaseUrl(t)
  const targetMedia = tempFolder(t)
  const targetEnv = { DATABASE_URL: targetUrl, DATELINE_MEDIA_DIR: targetMedia, DATELINE_DEMO: 'false' }
  const dry = await cli(['import', file, '--dry-run', '--json'], targetEnv)
  t.equal(dry.code, 0)
  t.same(JSON.parse(dry.stdout).counts.media, { created: 2, updated: 0, unchanged: 0, skipped: 0 }, 'a dry run reports the images')
  t.notOk('originals' in JSON.parse(dry.stdout), 'and processes no original')
  t.same(keysIn(targetMedia), [], 'no file is written')

  const imported = await cli(['import', file], targetEnv)
  t.equal(imported.code, 0, 'import exits 0', { stderr: imported.stderr })
  t.match(imported.stdout, /^Images: 2 originals from beside the file made uploads$/m, 'says the originals became uploads')
  t.match(lines(imported.stderr).filter((line) => line.startsWith('media ')), [/^media \d+ harbour\.jpg: original processed, 1800×1200$/, /^media \d+ badge\.png: original processed, 400×300$/])
  t.equal(keysIn(targetMedia).length, 2, 'a folder per image in the media folder')

  const target = await build(t, { databaseUrl: targetUrl, mediaDir: targetMedia })
  for (const [index, line] of mediaLines.entries()) {
    const item = await getJson(target, t, `/v1/media/${line.id as number}`)
    t.match(item, { source: 'upload', alt: line.alt, caption: line.caption, credit: line.credit, focalPoint: line.focalPoint, width: line.width, height: line.height, type: images[index]!.type }, `media ${line.id as number}: an upload with the exported words`)
    t.same(item.variants.map((variant: Item) => [variant.type, variant.width, variant.height]), images[index]!.variants.map((variant: Item) => [variant.type, variant.width, variant.height]), 'the same variants as at the source')
    for (const variant of item.variants as Item[]) {
      const served = await target.inject({ method: 'GET', url: variant.url })
      t.equal(served.statusCode, 200, `${variant.url as string} is served`)
      const decoded = await sharp(served.rawPayload).metadata()
      t.same([decoded.width, decoded.height], [variant.width, variant.height], 'and decodes to its size')
    }
  }
  for (const [index, article] of articles.entries()) {
    const read = await getJson(target, t, `/v1/articles/${article.id as number}`)
    t.equal(read.featuredImage?.id ?? null, images[index]?.id ?? null, `article ${article.slug as string} keeps its featured image`)
  }

  const again = await cli(['import', file, '--json'], targetEnv)
  t.equal(again.code, 0)
  const report = JSON.parse(again.stdout)
  t.same(report.counts.media, { created: 0, updated: 0, unchanged: 2, skipped: 0 }, 'importing again: the images are unchanged')
  t.same(report.originals, { processed: 0, failed: [] }, 'and no original is processed again')
  t.equal(keysIn(targetMedia).length, 2, 'no new files')
})

t.test('dateline import: an original missing or damaged beside the file leaves its item external and is retried by the next import', async (t) => {
  const { databaseUrl, mediaDir, images } = await blogWithImages(t)
  const file = join(tempFolder(t), 'blog.ndjson')
  t.equal((await cli(['export', file], { DATABASE_URL: databaseUrl, DATELINE_MEDIA_DIR: mediaDir, DATELINE_DEMO: 'false' })).code, 0)
  const [harbourKey, badgeKey] = images.map((item) => item.url.split('/')[2] as string) as [string, string]
  const harbourOriginal = readFileSync(join(`${file}.media`, harbourKey, 'original'))
  rmSync(join(`${file}.media`, harbourKey, 'original'))
  const badgeOriginal = readFileSync(join(`${file}.media`, badgeKey, 'original'))
  writeFileSync(join(`${file}.media`, badgeKey, 'original'), 'not an image at all')

  const targetUrl = await lastingDatabaseUrl(t)
  const targetMedia = tempFolder(t)
  const env = { DATABASE_URL: targetUrl, DATELINE_MEDIA_DIR: targetMedia, DATELINE_DEMO: 'false' }
  const first = await cli(['import', file, '--json'], env)
  t.equal(first.code, 0, 'the import itself succeeds')
  const report = JSON.parse(first.stdout)
  t.same(report.counts.media, { created: 2, updated: 0, unchanged: 0, skipped: 0 })
  t.match(report.originals, { processed: 0, failed: [{ id: images[0]!.id, fileName: 'harbour.jpg', reason: 'its original is not beside the file' }, { id: images[1]!.id, fileName: 'badge.png', reason: /^the original / }] }, 'each named with its reason')
  t.match(lines(first.stderr).filter((line) => line.startsWith('media ')), [/harbour\.jpg: original not taken, its original is not beside the file; left external$/, /badge\.png: original not taken, the original .*; left external$/])
  t.same(keysIn(targetMedia), [], 'no file is written for them')
  const target = await build(t, { databaseUrl: targetUrl, mediaDir: targetMedia })
  t.same((await getJson(target, t, '/v1/media?sort=fileName')).data.map((item: Item) => [item.fileName, item.source]), [['badge.png', 'external'], ['harbour.jpg', 'external']], 'both stay external')

  writeFileSync(join(`${file}.media`, harbourKey, 'original'), harbourOriginal)
  writeFileSync(join(`${file}.media`, badgeKey, 'original'), badgeOriginal)
  const retried = await cli(['import', file, '--json'], env)
  t.same(JSON.parse(retried.stdout).originals, { processed: 2, failed: [] }, 'importing again takes the originals now there')
  t.same((await getJson(target, t, '/v1/media?sort=fileName')).data.map((item: Item) => [item.fileName, item.source, item.width]), [['badge.png', 'upload', 400], ['harbour.jpg', 'upload', 1800]], 'both are uploads')
})

t.test('a media line whose key is not a key is refused, naming its line', async (t) => {
  const app = await build(t)
  const header = '{"type":"header","format":"dateline","version":2,"exportedAt":"2026-01-01T00:00:00.000Z","counts":{}}'
  const line = { type: 'media', id: 1, key: '../../../etc', source: 'upload', ownerAuthorId: null, fileName: 'a.jpg', alt: '', caption: '', credit: '', focalPoint: { x: 0.5, y: 0.5 }, format: 'jpeg', width: 10, height: 10, externalUrl: null, url: 'https://example.org/a.jpg', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }
  const response = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: `${header}\n${JSON.stringify(line)}\n` })
  t.equal(response.statusCode, 400)
  t.match(response.json().detail, /: line 2, column 1: is not a valid "media" line$/)
  t.equal((await getJson(app, t, '/v1/media?limit=1')).meta.total, 0, 'nothing imported')
})
