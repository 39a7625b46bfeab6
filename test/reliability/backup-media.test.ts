// `dateline backup` carries the images: `<file>.media/` beside the database's copy, and
// `dateline restore` puts them back into the media folder of the database it restores.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { build, createArticle, createAuthor, type TapLike } from '../helper.js'
import { cli } from '../cli-run.js'
import { photo, uploaded } from '../media.js'

function tempDir (t: TapLike): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-backup-media-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('a backup holds the images its database names; restored elsewhere, the articles show them again', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'live', 'dateline.db')
  const original = await build(t, { databaseUrl: file })
  const image = await uploaded(original, t, { name: 'mill.jpg', data: await photo(800, 500) }, { alt: 'The old mill' })
  const author = await createAuthor(original, t)
  const article = await createArticle(original, t, { authorId: author.id, featuredImage: image.id, status: 'published' })
  await original.close()
  t.ok(existsSync(join(dir, 'live', 'dateline-media')), 'the live images are beside the database')

  const backup = join(dir, 'backups', 'monday.db')
  const backedUp = await cli(['backup', backup], { DATABASE_URL: file, DATELINE_DEMO: 'false' })
  t.equal(backedUp.code, 0, backedUp.stderr)
  t.match(backedUp.stdout, /Backed up the images of .* \(1 image, \d+ bytes\)/)
  const key = new URL(image.url, 'http://x').pathname.split('/')[2]!
  t.same(readdirSync(`${backup}.media`), [key], 'the image\'s folder is in the backup')

  const again = await cli(['backup', backup, '--force'], { DATABASE_URL: file, DATELINE_DEMO: 'false' })
  t.equal(again.code, 0, again.stderr)
  t.same(readdirSync(`${backup}.media`), [key], 'a forced backup over it holds the same')

  const restoredFile = join(dir, 'elsewhere', 'dateline.db')
  const mediaDir = join(dir, 'elsewhere', 'images')
  const restored = await cli(['restore', backup], { DATABASE_URL: restoredFile, DATELINE_MEDIA_DIR: mediaDir, DATELINE_DEMO: 'false' })
  t.equal(restored.code, 0, restored.stderr)
  t.match(restored.stdout, `Restored 1 image to ${mediaDir}.`)

  const app = await build(t, { databaseUrl: restoredFile, mediaDir })
  const read = (await app.inject({ method: 'GET', url: `/v1/articles/${article.id}` })).json()
  t.same(read.featuredImage, article.featuredImage, 'the article embeds its image as before')
  for (const variant of image.variants as Array<{ url: string, type: string }>) {
    const served = await app.inject({ method: 'GET', url: variant.url })
    t.equal(served.statusCode, 200, `${variant.url} is served`)
  }
})
