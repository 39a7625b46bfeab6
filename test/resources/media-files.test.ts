import t from 'tap'
import sharp from 'sharp'
import { build } from '../helper.js'
import { addStrayFile, photo, uploaded } from '../media.js'

// Variant files under /media/{key}/{file}: what is served, how it is cached, and every other
// path under /media refused as if there were nothing there.

t.test('a variant is served with its type, immutable caching, an ETag and ranges', async (t) => {
  const app = await build(t)
  const item = await uploaded(app, t, { name: 'Harbour.jpg', data: await photo(800, 600) })
  const variant = item.variants.find((v: { type: string, width: number }) => v.type === 'image/jpeg' && v.width === 640)
  t.ok(variant, 'a 640-wide JPEG variant')

  const file = await app.inject({ method: 'GET', url: variant.url })
  t.equal(file.statusCode, 200)
  t.equal(file.headers['content-type'], 'image/jpeg')
  t.equal(Number(file.headers['content-length']), variant.bytes)
  t.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(file.headers['x-content-type-options'], 'nosniff')
  t.equal(file.headers['content-security-policy'], "default-src 'none'; sandbox")
  t.equal(file.headers['cross-origin-resource-policy'], 'cross-origin')
  t.equal(file.headers['accept-ranges'], 'bytes')
  t.equal(file.headers['last-modified'], undefined)
  t.match(file.headers.etag, /^(W\/)?"/)
  t.equal((await sharp(file.rawPayload).metadata()).width, 640)

  const again = await app.inject({ method: 'GET', url: variant.url, headers: { 'if-none-match': String(file.headers.etag) } })
  t.equal(again.statusCode, 304)
  t.equal(again.rawPayload.length, 0)

  const part = await app.inject({ method: 'GET', url: variant.url, headers: { range: 'bytes=0-99' } })
  t.equal(part.statusCode, 206)
  t.equal(part.headers['content-range'], `bytes 0-99/${variant.bytes}`)
  t.same(part.rawPayload, file.rawPayload.subarray(0, 100))

  const head = await app.inject({ method: 'HEAD', url: variant.url })
  t.equal(head.statusCode, 200)
  t.equal(Number(head.headers['content-length']), variant.bytes)
  t.equal(head.rawPayload.length, 0)
})

t.test('only variant files of an item are served: never the original, another spelling or another place', async (t) => {
  const app = await build(t)
  const item = await uploaded(app, t, { name: 'Harbour.jpg', data: await photo(400, 300) })
  const url: string = item.variants[0].url
  const [, , key, file] = url.split('/') as [string, string, string, string]
  // A file of a name we never write, among the item's files: as if put there by hand.
  await addStrayFile(app, key, 'notes.txt', Buffer.from('private'))

  const refused = [
    `/media/${key}/original`,
    `/media/${key}/notes.txt`,
    `/media/${key.toUpperCase()}/${file}`,
    `/media/${key}/${file.toUpperCase()}`,
    `/media/${key}/${file.replace(/^[^-]+/, 'other')}`,
    `/media/${'0'.repeat(20)}/${file}`,
    `/media/${key}`,
    `/media/${key}/`,
    `/media/${key}/${file}/x`,
    `/media/.staging/${file}`,
    `/media/${key}/..%2f${key}%2f${file}`,
    '/media/'
  ]
  for (const path of refused) {
    const answer = await app.inject({ method: 'GET', url: path })
    t.equal(answer.statusCode, 404, `${path} ${answer.statusCode} ${answer.body.slice(0, 200)}`)
    t.match(answer.headers['content-type'], /^application\/problem\+json/, path)
  }
})
