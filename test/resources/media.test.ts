import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import sharp, { type Metadata } from 'sharp'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { animatedGif, avifImage, cmykJpeg, multipart, photo, pngBomb, pngClaiming, transparentPng, upload, uploaded, webpImage, type FilePart } from '../media.js'
import { assertProblem } from '../problems.js'

// The media library (issue 21) through the API: real images made with sharp, uploaded as a
// browser sends them, every variant the answer lists fetched from /media and decoded again.

type Item = Record<string, any>

// sharp names an AVIF file's container, HEIF.
const sharpFormats: Record<string, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp', 'image/avif': 'heif', 'image/gif': 'gif' }
const extensionOf: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/avif': 'avif', 'image/gif': 'gif' }

async function fetchFile (app: FastifyInstance, url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET'): Promise<LightMyRequestResponse> {
  return await app.inject({ method, url, headers })
}

/** `srcset`'s candidates as [url, width]. */
function candidates (srcset: string): Array<[string, number]> {
  return srcset.split(', ').map((candidate) => {
    const [url, width] = candidate.split(' ')
    return [url!, Number(width!.replace(/w$/, ''))]
  })
}

/**
 * Fetches every variant `item` lists and decodes it again: served, of the type, size and
 * bytes the answer gives; and `url`, `srcset` and `sources` point at those files only.
 * Answers the decoded variants' metadata, for further checks.
 */
async function assertServed (t: Test, app: FastifyInstance, item: Item): Promise<Array<{ variant: Item, data: Buffer, metadata: Metadata }>> {
  const decoded: Array<{ variant: Item, data: Buffer, metadata: Metadata }> = []
  t.ok(item.variants.length > 0, 'some variants')
  for (const variant of item.variants as Item[]) {
    t.match(variant.url, new RegExp(`^/media/[0-9a-f]{20}/[a-z0-9-]+-${variant.width}w\\.${extensionOf[variant.type]}$`), `${variant.url} is named for its width and format`)
    const response = await fetchFile(app, variant.url)
    t.equal(response.statusCode, 200, `${variant.url} is served`)
    t.equal(response.headers['content-type'], variant.type, 'as its type')
    t.equal(response.rawPayload.length, variant.bytes, 'its bytes, as listed')
    const metadata = await sharp(response.rawPayload, { animated: item.animated }).metadata()
    t.equal(metadata.format, sharpFormats[variant.type], `${variant.url} decodes as ${variant.type}`)
    t.equal(metadata.width, variant.width, 'as wide as listed')
    t.equal(item.animated === true ? metadata.pageHeight : metadata.height, variant.height, 'as high as listed')
    decoded.push({ variant, data: response.rawPayload, metadata })
  }
  const served = new Map((item.variants as Item[]).map((variant) => [variant.url, variant]))
  const fallback = (item.variants as Item[]).filter((variant) => variant.type === item.variants.find((first: Item) => served.get(item.url)?.type === first.type)?.type)
  t.ok(served.has(item.url), 'url is a served variant')
  t.equal(served.get(item.url)?.width, Math.max(...fallback.map((variant) => variant.width)), 'url is the widest of its format')
  t.match(served.get(item.url)?.type, /^image\/(?:jpeg|png|gif)$/, 'url is in a format every browser shows')
  const sets: Array<[string, string]> = [[served.get(item.url)!.type, item.srcset], ...item.sources.map((source: Item) => [source.type, source.srcset] as [string, string])]
  for (const [type, srcset] of sets) {
    const parsed = candidates(srcset)
    t.same(parsed.map(([, width]) => width), (item.variants as Item[]).filter((variant) => variant.type === type).map((variant) => variant.width), `the ${type} srcset lists every width of its format, smallest first`)
    for (const [url, width] of parsed) {
      t.equal(served.get(url)?.type, type, `${url} is a served ${type}`)
      t.equal(served.get(url)?.width, width, `${url} is ${width} wide`)
    }
  }
  return decoded
}

/** Degrees, minutes and seconds as EXIF writes them (RATIONALs over 1), in either byte order. */
function gpsRationals (values: number[]): Buffer[] {
  return [false, true].map((littleEndian) => {
    const bytes = Buffer.alloc(values.length * 8)
    values.forEach((value, index) => {
      if (littleEndian) {
        bytes.writeUInt32LE(value, index * 8)
        bytes.writeUInt32LE(1, index * 8 + 4)
      } else {
        bytes.writeUInt32BE(value, index * 8)
        bytes.writeUInt32BE(1, index * 8 + 4)
      }
    })
    return bytes
  })
}

const widthsOf = (item: Item, type: string): number[] => (item.variants as Item[]).filter((variant) => variant.type === type).map((variant) => variant.width)

t.test('uploads of each format, decoded again from what is served', async (t) => {
  const app = await build(t)

  t.test('a JPEG: variants at each width under its own, in JPEG, WebP and AVIF', async (t) => {
    const response = await upload(app, t, { name: 'Footbridge at Dawn.JPG', data: await photo(700, 400), type: 'image/jpeg' }, { alt: 'The footbridge', caption: 'At dawn', credit: 'Ana Reyes' })
    t.equal(response.statusCode, 201, { body: response.body })
    const item = response.json()
    t.equal(response.headers.location, `/v1/media/${item.id}`)
    t.match(item, { type: 'image/jpeg', width: 700, height: 400, animated: false, alt: 'The footbridge', caption: 'At dawn', credit: 'Ana Reyes', fileName: 'Footbridge at Dawn.JPG', source: 'upload', focalPoint: { x: 0.5, y: 0.5 } })
    t.match(item.dominantColor, /^#[0-9a-f]{6}$/)
    t.match(item.placeholder, /^data:image\/webp;base64,/)
    const placeholder = await sharp(Buffer.from(item.placeholder.split(',')[1], 'base64')).metadata()
    t.equal(placeholder.width, 16, 'the placeholder is tiny')
    for (const type of ['image/jpeg', 'image/webp', 'image/avif']) t.same(widthsOf(item, type), [320, 640, 700], `${type} at 320, 640 and its own 700`)
    t.same(item.sources.map((source: Item) => source.type), ['image/avif', 'image/webp'], 'AVIF before WebP')
    t.match(item.url, /\/footbridge-at-dawn-700w\.jpg$/, 'named after the file')
    const decoded = await assertServed(t, app, item)
    const small = decoded.find(({ variant }) => variant.width === 320)!
    t.equal(small.metadata.height, Math.round(320 * 400 / 700), 'the aspect ratio is kept')
  })

  t.test('a PNG with transparency keeps PNG as its fallback, and its alpha', async (t) => {
    const item = await uploaded(app, t, { name: 'badge.png', data: await transparentPng(50, 40), type: 'image/png' })
    t.match(item, { type: 'image/png', width: 50, height: 40 })
    t.same(widthsOf(item, 'image/png'), [50])
    t.same(widthsOf(item, 'image/jpeg'), [], 'no JPEG: it would lose the transparency')
    t.match(item.url, /\.png$/)
    for (const { variant, metadata } of await assertServed(t, app, item)) t.ok(metadata.hasAlpha, `${variant.type} keeps the alpha channel`)
  })

  t.test('a WebP upload gets a JPEG fallback', async (t) => {
    const item = await uploaded(app, t, { name: 'square.webp', data: await webpImage(400, 300) })
    t.match(item, { type: 'image/webp', width: 400, height: 300 })
    t.same(widthsOf(item, 'image/jpeg'), [320, 400])
    await assertServed(t, app, item)
  })

  t.test('an AVIF upload', async (t) => {
    const item = await uploaded(app, t, { name: 'harbour.avif', data: await avifImage(360, 200) })
    t.match(item, { type: 'image/avif', width: 360, height: 200 })
    t.same(widthsOf(item, 'image/avif'), [320, 360])
    await assertServed(t, app, item)
  })

  t.test('an animated GIF stays animated, as GIF and WebP', async (t) => {
    const item = await uploaded(app, t, { name: 'blink.gif', data: await animatedGif(60, 40, 3) })
    t.match(item, { type: 'image/gif', width: 60, height: 40, animated: true })
    t.same(item.variants.map((variant: Item) => variant.type), ['image/gif', 'image/webp'])
    t.same(item.sources.map((source: Item) => source.type), ['image/webp'], 'no AVIF source for an animation')
    for (const { variant, metadata } of await assertServed(t, app, item)) t.equal(metadata.pages, 3, `the ${variant.type} has all 3 frames`)
  })

  t.test('odd sizes: one pixel, an odd ratio, a sliver wider than every variant', async (t) => {
    const one = await uploaded(app, t, { name: 'dot.jpg', data: await photo(1, 1) })
    t.match(one, { width: 1, height: 1 })
    t.same(widthsOf(one, 'image/jpeg'), [1])
    await assertServed(t, app, one)

    const odd = await uploaded(app, t, { name: 'odd.jpg', data: await photo(333, 77) })
    t.same(widthsOf(odd, 'image/jpeg'), [320, 333])
    await assertServed(t, app, odd)

    const sliver = await uploaded(app, t, { name: 'sliver.png', data: await transparentPng(4000, 3) })
    t.match(sliver, { width: 4000, height: 3 })
    t.same(widthsOf(sliver, 'image/png'), [320, 640, 1024, 1600, 2048], 'none wider than 2048')
    for (const variant of sliver.variants as Item[]) t.ok(variant.height >= 1, `${variant.url} is at least a pixel high`)
    await assertServed(t, app, sliver)
  })

  t.test('a portrait photo stored on its side (EXIF orientation 6) is served upright', async (t) => {
    const item = await uploaded(app, t, { name: 'portrait.jpg', data: await photo(400, 300, { orientation: 6 }) })
    t.match(item, { width: 300, height: 400 }, 'the width and height as shown')
    t.same(widthsOf(item, 'image/jpeg'), [300])
    for (const { variant, metadata } of await assertServed(t, app, item)) {
      t.equal(metadata.orientation, undefined, `${variant.type}: no orientation left to apply`)
      t.same([metadata.width, metadata.height], [300, 400], `${variant.type} is upright`)
    }
  })

  t.test('EXIF, GPS and XMP never leave the server', async (t) => {
    const original = await sharp(await photo(500, 300, { gps: true })).keepExif().withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Ana Reyes at the quay</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>').jpeg().toBuffer()
    const tagged = await sharp(original).metadata()
    const latitude = gpsRationals([51, 30, 26])
    t.ok(tagged.exif !== undefined && tagged.xmp !== undefined, 'the upload carries EXIF and XMP')
    t.ok(latitude.some((bytes) => original.includes(bytes)) && original.includes('Dateline Test Camera') && original.includes('Ana Reyes at the quay'), 'with the GPS latitude, the camera and the XMP creator in its bytes')
    const item = await uploaded(app, t, { name: 'located.jpg', data: original })
    for (const { variant, data, metadata } of await assertServed(t, app, item)) {
      t.equal(metadata.exif, undefined, `${variant.url}: no EXIF`)
      t.equal(metadata.xmp, undefined, `${variant.url}: no XMP`)
      t.equal(metadata.iptc, undefined, `${variant.url}: no IPTC`)
      for (const text of ['Exif\0\0', 'Dateline Test Camera', 'Vell Herald', 'Ana Reyes at the quay', 'xmpmeta']) t.notOk(data.includes(text), `${variant.url} does not contain ${JSON.stringify(text)}`)
      t.notOk(latitude.some((bytes) => data.includes(bytes)), `${variant.url} does not contain the GPS latitude`)
    }
  })

  t.test('a CMYK JPEG is served in sRGB', async (t) => {
    const original = await cmykJpeg(200, 100)
    t.equal((await sharp(original).metadata()).space, 'cmyk', 'the upload is CMYK')
    const item = await uploaded(app, t, { name: 'print.jpg', data: original })
    for (const { variant, metadata } of await assertServed(t, app, item)) t.equal(metadata.space, 'srgb', `${variant.type} is sRGB`)
  })

  t.test('the content decides the type, not the name or the declared type', async (t) => {
    const item = await uploaded(app, t, { name: 'photo.jpg', data: await transparentPng(30, 20), type: 'image/jpeg' })
    t.equal(item.type, 'image/png')
    t.match(item.url, /\/photo-30w\.png$/)
    await assertServed(t, app, item)
  })
})

t.test('uploads refused, each with a problem naming the field', async (t) => {
  const app = await build(t, { mediaMaxPixels: 1_000_000 })
  const refused = async (t: Test, file: FilePart | null, fields: Record<string, string>, status: number, kind: string, path: string) => {
    const body = file === null ? multipart(fields) : multipart(fields, file)
    const response = await request(app, t, { method: 'POST', url: '/v1/media', headers: { ...bearer(adminSecret), ...body.headers }, payload: body.payload })
    return assertProblem(t, response, status, kind, path)
  }

  t.test('a PNG bomb is refused from its header, fast', async (t) => {
    const bomb = await pngBomb(1500)
    t.ok(bomb.length < 100_000, `${bomb.length} bytes on the wire for 2,250,000 pixels`)
    await refused(t, { name: 'bomb.png', data: bomb }, {}, 413, 'body-too-large', 'body.file')
    const started = Date.now()
    const problem = await refused(t, { name: 'huge.png', data: await pngClaiming(100_000, 100_000) }, {}, 413, 'body-too-large', 'body.file')
    t.ok(Date.now() - started < 1000, 'without decoding ten billion pixels')
    t.match(problem.detail, /100000×100000 pixels/)
  })

  t.test('SVG and HTML are not images we take: 415', async (t) => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>')
    await refused(t, { name: 'logo.svg', data: svg, type: 'image/svg+xml' }, {}, 415, 'unsupported-media-type', 'body.file')
    await refused(t, { name: 'logo.png', data: svg, type: 'image/png' }, {}, 415, 'unsupported-media-type', 'body.file')
    await refused(t, { name: 'page.jpg', data: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'), type: 'image/jpeg' }, {}, 415, 'unsupported-media-type', 'body.file')
  })

  t.test('a truncated JPEG is damaged: 422', async (t) => {
    const whole = await photo(300, 200)
    await refused(t, { name: 'cut.jpg', data: whole.subarray(0, Math.floor(whole.length / 2)) }, {}, 422, 'unreadable-image', 'body.file')
  })

  t.test('an empty file, or none', async (t) => {
    const empty = await refused(t, { name: 'empty.jpg', data: Buffer.alloc(0) }, {}, 400, 'validation', 'body.file')
    t.match(empty.errors[0].message, /empty/)
    await refused(t, null, { alt: 'No picture' }, 400, 'validation', 'body.file')
  })

  t.test('an unknown field, a file under another name, a too-long alt', async (t) => {
    await refused(t, { name: 'a.jpg', data: await photo(20, 20) }, { title: 'x' }, 400, 'validation', 'body.title')
    await refused(t, { name: 'a.jpg', data: await photo(20, 20), field: 'image' }, {}, 400, 'validation', 'body.image')
    await refused(t, { name: 'a.jpg', data: await photo(20, 20) }, { alt: 'a'.repeat(1001) }, 400, 'validation', 'body.alt')
    await refused(t, { name: 'a.jpg', data: await photo(20, 20) }, { caption: 'bell\u0007' }, 400, 'validation', 'body.caption')
  })

  t.test('two files', async (t) => {
    const image = await photo(20, 20)
    const body = multipart({}, { name: 'a.jpg', data: image }, { name: 'b.jpg', data: image })
    const response = await request(app, t, { method: 'POST', url: '/v1/media', headers: { ...bearer(adminSecret), ...body.headers }, payload: body.payload })
    assertProblem(t, response, 400, 'validation', { path: 'body.file', message: 'must be one file' })
  })

  t.test('a form the parser cannot read: no boundary, or cut short', async (t) => {
    const body = multipart({ alt: 'x' }, { name: 'a.jpg', data: await photo(20, 20) })
    const noBoundary = await request(app, t, { method: 'POST', url: '/v1/media', headers: { ...bearer(adminSecret), 'content-type': 'multipart/form-data' }, payload: body.payload })
    assertProblem(t, noBoundary, 400, 'validation', 'body')
    const cut = await request(app, t, { method: 'POST', url: '/v1/media', headers: { ...bearer(adminSecret), ...body.headers }, payload: body.payload.subarray(0, body.payload.length - 40) })
    assertProblem(t, cut, 400, 'validation', 'body')
  })

  t.test('a JSON body, or none', async (t) => {
    const json = await request(app, t, { method: 'POST', url: '/v1/media', headers: bearer(adminSecret), payload: { file: 'aGVsbG8=' } })
    assertProblem(t, json, 415, 'unsupported-media-type')
    const none = await request(app, t, { method: 'POST', url: '/v1/media', headers: bearer(adminSecret) })
    assertProblem(t, none, 415, 'unsupported-media-type')
  })

  t.test('nothing refused was kept', async (t) => {
    const list = await request(app, t, { method: 'GET', url: '/v1/media', headers: bearer(adminSecret) })
    t.equal(list.json().meta.total, 0)
  })
})

t.test('an upload over DATELINE_MEDIA_MAX_BYTES is a 413 naming body.file', async (t) => {
  const app = await build(t, { mediaMaxBytes: 20_000 })
  const large = await photo(600, 400)
  t.ok(large.length > 20_000, `${large.length} bytes`)
  const response = await upload(app, t, { name: 'large.jpg', data: large })
  assertProblem(t, response, 413, 'body-too-large', 'body.file')
  const small = await upload(app, t, { name: 'small.jpg', data: await photo(40, 30) })
  t.equal(small.statusCode, 201, 'a small one is taken')
})

t.test('uploads are rate limited by DATELINE_MEDIA_RATE_LIMIT', async (t) => {
  const app = await build(t, { mediaUploadRateLimit: 2 })
  const image = await photo(20, 20)
  for (const n of [1, 2]) t.equal((await upload(app, t, { name: `${n}.jpg`, data: image })).statusCode, 201, `upload ${n} is taken`)
  const third = await upload(app, t, { name: '3.jpg', data: image })
  assertProblem(t, third, 429, 'rate-limited')
  t.ok(third.headers['retry-after'] !== undefined, 'with Retry-After')
})

t.test('uploads are processed one at a time: beyond the few waiting, a 503 with Retry-After', async (t) => {
  const app = await build(t)
  const image = await photo(800, 600)
  const responses = await Promise.all(Array.from({ length: 8 }, async (_, n) => await upload(app, t, { name: `burst-${n}.jpg`, data: image })))
  const statuses = responses.map((response) => response.statusCode).sort()
  t.ok(statuses.every((status) => status === 201 || status === 503), `each taken or refused (${statuses.join(', ')})`)
  t.ok(statuses.filter((status) => status === 201).length >= 5, 'the one processing and the four waiting are taken')
  for (const response of responses.filter((candidate) => candidate.statusCode === 503)) {
    assertProblem(t, response, 503, 'unavailable')
    t.equal(response.headers['retry-after'], '5', 'with Retry-After')
  }
  const list = await request(app, t, { method: 'GET', url: '/v1/media', headers: bearer(adminSecret) })
  t.equal(list.json().meta.total, statuses.filter((status) => status === 201).length, 'every upload taken is in the library, no other')
})

t.test('serving the files', async (t) => {
  const app = await build(t)
  const item = await uploaded(app, t, { name: 'served.jpg', data: await photo(400, 300) })
  const variant = item.variants.find((candidate: Item) => candidate.type === 'image/webp')
  const key = item.url.split('/')[2]

  t.test('immutable, with an ETag, a 304, Range and HEAD', async (t) => {
    const first = await fetchFile(app, variant.url)
    t.equal(first.statusCode, 200)
    t.match(first.headers['cache-control'], /\bimmutable\b/)
    t.match(first.headers['cache-control'], /\bmax-age=31536000\b/)
    t.equal(first.headers['x-content-type-options'], 'nosniff')
    t.equal(first.headers['content-type'], 'image/webp')
    t.equal(first.headers['accept-ranges'], 'bytes')
    const etag = String(first.headers.etag)
    t.ok(etag.length > 2, 'an ETag')
    const again = await fetchFile(app, variant.url, { 'if-none-match': etag })
    t.equal(again.statusCode, 304, 'If-None-Match: 304')
    t.equal(again.rawPayload.length, 0, 'without the bytes')
    const range = await fetchFile(app, variant.url, { range: 'bytes=10-99' })
    t.equal(range.statusCode, 206)
    t.equal(range.headers['content-range'], `bytes 10-99/${variant.bytes}`)
    t.same(range.rawPayload, first.rawPayload.subarray(10, 100), 'the bytes asked for')
    const head = await fetchFile(app, variant.url, {}, 'HEAD')
    t.equal(head.statusCode, 200)
    t.equal(Number(head.headers['content-length']), variant.bytes)
    t.equal(head.headers['content-type'], 'image/webp')
    t.equal(head.rawPayload.length, 0)
  })

  t.test('the original and anything but /media/{key}/{variant} is a 404', async (t) => {
    const stem = variant.url.split('/')[3]
    const paths = [
      `/media/${key}/original`, `/media/${key}/`, `/media/${key}`, `/media/${key}/${stem}/x`, `/media/.staging/${key}/${stem}`,
      `/media/.staging/`, '/media/../package.json', '/media/%2e%2e/package.json', '/media/%2e%2e%2fpackage.json', `/media/${key}/..%2foriginal`,
      `/media/${key}/%2e%2e/${key}/original`, `/media/${'0'.repeat(20)}/${stem}`, `/media/${key.toUpperCase()}/${stem}`, '/media/', '/media'
    ]
    for (const path of paths) {
      const response = await fetchFile(app, path)
      t.equal(response.statusCode, 404, `${path} is a 404`)
      t.notMatch(String(response.headers['content-type']), /^image\//, 'not an image')
      t.notMatch(response.body, /"name":\s*"dateline"/, 'not a file from outside the folder')
    }
  })

  t.test('generated paths under /media/: a variant\'s bytes or a problem, never anything else', async (t) => {
    const variants = await Promise.all((item.variants as Item[]).map(async (file) => (await fetchFile(app, file.url)).rawPayload))
    const stem = variant.url.split('/')[3]
    const segment = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(key, stem, key.toUpperCase(), 'original', '.staging', '..', '.', '', '%2e%2e', '%2E%2E%2F', '%2f', '%5c', '..%5c', '%00', '%', '%zz', '%C0%AE', 'package.json', `${stem}%00.png`, `${stem}/`, `${stem}?x=1`, `${stem}#x`) },
      { weight: 1, arbitrary: fc.string({ maxLength: 24 }).map((text) => encodeURIComponent(text)) }
    )
    await fc.assert(fc.asyncProperty(fc.array(segment, { maxLength: 4 }), async (segments) => {
      const url = `/media/${segments.join('/')}`
      // Injected requests resolve dot segments as a browser does: /media/.. is the API's root.
      // (What a raw request line does with them is tested on a socket, below.)
      if (!new URL(url, 'http://localhost').pathname.startsWith('/media/')) return
      const response = await fetchFile(app, url)
      if (response.statusCode === 200) {
        t.ok(variants.some((bytes) => bytes.equals(response.rawPayload)), `${url} answers a variant's bytes`)
        return
      }
      t.ok(response.statusCode >= 400 && response.statusCode < 500, `${url} answers ${response.statusCode}`)
      t.match(String(response.headers['content-type']), /^application\/problem\+json/, `${url}: a problem`)
    }), { numRuns: 300, seed: 21 })
  })

  t.test('dot segments sent as they are on a socket never leave the folder', async (t) => {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as AddressInfo
    const stem = variant.url.split('/')[3]
    const paths = ['/media/../package.json', '/media/%2e%2e/package.json', '/media/%2e%2e%2fpackage.json', `/media/${key}/../../package.json`,
      `/media/${key}/%2e%2e/%2e%2e/package.json`, `/media/${key}/..%2f..%2fpackage.json`, `/media/${key}/../${key}/original`, `/media/${key}/./${stem}/../original`, '/media/..\\package.json']
    for (const path of paths) {
      const { status, type, body } = await new Promise<{ status: number, type: string, body: string }>((resolve, reject) => {
        const sent = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
          let text = ''
          response.setEncoding('latin1')
          response.on('data', (chunk: string) => { text += chunk })
          response.on('end', () => { resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body: text }) })
        })
        sent.on('error', reject)
        sent.end()
      })
      t.equal(status, 404, `${path} is a 404`)
      t.match(type, /^application\/problem\+json/)
      t.notMatch(body, /"devDependencies"/, 'not the package file')
    }
  })

  t.test('a deleted item\'s files are gone', async (t) => {
    const doomed = await uploaded(app, t, { name: 'doomed.jpg', data: await photo(40, 30) })
    t.equal((await fetchFile(app, doomed.url)).statusCode, 200)
    const removed = await request(app, t, { method: 'DELETE', url: `/v1/media/${doomed.id}`, headers: bearer(adminSecret) })
    t.equal(removed.statusCode, 204)
    for (const file of doomed.variants as Item[]) t.equal((await fetchFile(app, file.url)).statusCode, 404, `${file.url} is a 404`)
    t.equal((await fetchFile(app, `/media/${doomed.url.split('/')[2]}/original`)).statusCode, 404)
    t.equal((await request(app, t, { method: 'GET', url: `/v1/media/${doomed.id}`, headers: bearer(adminSecret) })).statusCode, 404)
  })
})

t.test('the library: reading, changing, ownership, deleting', async (t) => {
  const app = await build(t)
  const ada = await createAuthor(app, t, { name: 'Ada Owner' })
  const bea = await createAuthor(app, t, { name: 'Bea Other' })
  const adaToken = await tokenFor(app, 'author', ada.id)
  const beaToken = await tokenFor(app, 'author', bea.id)
  const editorToken = await tokenFor(app, 'editor')
  const image = await photo(40, 30)
  const adas = await uploaded(app, t, { name: 'Harbour Crane.jpg', data: image }, { alt: 'A crane over the harbour', credit: 'Ana Reyes' }, adaToken)
  const beas = await uploaded(app, t, { name: 'market.jpg', data: image }, { caption: 'Saturday market stalls' }, beaToken)
  const staffs = await uploaded(app, t, { name: 'zebra-crossing.png', data: await transparentPng(20, 20) })
  const get = async (t: Test, url: string, secret = adminSecret, headers: Record<string, string> = {}) => await request(app, t, { method: 'GET', url, headers: { ...bearer(secret), ...headers } })
  const patch = async (t: Test, id: number, payload: Item, secret = adminSecret, headers: Record<string, string> = {}) =>
    await request(app, t, { method: 'PATCH', url: `/v1/media/${id}`, headers: { ...bearer(secret), ...headers }, payload })
  const remove = async (t: Test, id: number, secret = adminSecret, query = '') => await request(app, t, { method: 'DELETE', url: `/v1/media/${id}${query}`, headers: bearer(secret) })

  t.test('an upload belongs to the author whose token sent it', async (t) => {
    t.equal(adas.ownerAuthorId, ada.id)
    t.equal(beas.ownerAuthorId, bea.id)
    t.equal(staffs.ownerAuthorId, null, 'an admin token is nobody\'s')
  })

  t.test('GET one, with an ETag and 304; 404 for an unknown id', async (t) => {
    const one = await get(t, `/v1/media/${adas.id}`, beaToken)
    t.equal(one.statusCode, 200, 'any author may read the library')
    t.same(one.json(), adas)
    const again = await get(t, `/v1/media/${adas.id}`, adminSecret, { 'if-none-match': String(one.headers.etag) })
    t.equal(again.statusCode, 304)
    assertProblem(t, await get(t, '/v1/media/999999'), 404, 'not-found')
    assertProblem(t, await get(t, '/v1/media/abc'), 400, 'validation', 'params.id')
    assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/media/${adas.id}` }), 401, 'unauthorized')
  })

  t.test('PATCH alt, caption, credit and focal point; If-Match', async (t) => {
    const before = await get(t, `/v1/media/${adas.id}`, adaToken)
    const changed = await patch(t, adas.id, { alt: 'A crane at dusk', caption: 'Loading', credit: 'Photo: Ana Reyes', focalPoint: { x: 0.25, y: 0.75 } }, adaToken, { 'if-match': String(before.headers.etag) })
    t.equal(changed.statusCode, 200, { body: changed.body })
    t.match(changed.json(), { alt: 'A crane at dusk', caption: 'Loading', credit: 'Photo: Ana Reyes', focalPoint: { x: 0.25, y: 0.75 }, variants: adas.variants })
    t.not(changed.headers.etag, before.headers.etag, 'a new ETag')
    assertProblem(t, await patch(t, adas.id, { alt: 'Lost update' }, adaToken, { 'if-match': String(before.headers.etag) }), 412, 'precondition-failed')
    assertProblem(t, await patch(t, adas.id, { focalPoint: { x: 2, y: 0 } }, adaToken), 400, 'validation', 'body.focalPoint.x')
    assertProblem(t, await patch(t, adas.id, { fileName: 'x.jpg' }, adaToken), 400, 'validation', 'body.fileName')
    assertProblem(t, await patch(t, adas.id, {}, adaToken), 400, 'validation')
    assertProblem(t, await patch(t, 999999, { alt: 'x' }), 404, 'not-found')
    t.equal((await get(t, `/v1/media/${adas.id}`)).json().alt, 'A crane at dusk', 'the refused PATCHes changed nothing')
  })

  t.test('authors change only their own; editors any', async (t) => {
    assertProblem(t, await patch(t, adas.id, { alt: 'Not yours' }, beaToken), 403, 'forbidden')
    assertProblem(t, await remove(t, adas.id, beaToken), 403, 'forbidden')
    assertProblem(t, await patch(t, staffs.id, { alt: 'Not yours either' }, adaToken), 403, 'forbidden')
    const byEditor = await patch(t, beas.id, { credit: 'Checked by the desk' }, editorToken)
    t.equal(byEditor.statusCode, 200)
    t.equal(byEditor.json().credit, 'Checked by the desk')
    t.equal((await get(t, `/v1/media/${adas.id}`)).json().alt, 'A crane at dusk', 'B changed nothing of A\'s')
  })

  t.test('articles attach only their writer\'s own images', async (t) => {
    const refused = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(beaToken), payload: { title: 'Borrowed', body: '<p>x</p>', authorId: bea.id, featuredImage: adas.id } })
    assertProblem(t, refused, 403, 'forbidden', 'body.featuredImage')
    const draft = await createArticle(app, t, { title: 'Own picture', authorId: bea.id, featuredImage: beas.id }, beaToken)
    t.equal(draft.featuredImage.id, beas.id)
    const editorsPick = await createArticle(app, t, { title: 'Desk picks', authorId: bea.id, featuredImage: adas.id }, editorToken)
    t.equal(editorsPick.featuredImage.id, adas.id, 'an editor attaches anyone\'s')
  })

  t.test('DELETE of an image in use: 409 naming the article; force=true for editors only', async (t) => {
    const article = await createArticle(app, t, { title: 'The crane story', authorId: ada.id, status: 'published', publishedAt: '2026-01-05T10:00:00.000Z', featuredImage: adas.id })
    const inUse = assertProblem(t, await remove(t, adas.id, adaToken), 409, 'conflict')
    t.match(inUse.detail, new RegExp(`article ${article.id} \\(featured\\)`), 'names the article')
    assertProblem(t, await remove(t, adas.id, adaToken, '?force=true'), 403, 'forbidden')
    t.equal((await get(t, `/v1/media/${adas.id}`)).statusCode, 200, 'still there')
    const head = (await request(app, t, { method: 'GET', url: '/v1/changes?since=0&limit=1000' })).json().meta.head
    const before = await get(t, `/v1/articles/${article.id}`)
    const forced = await remove(t, adas.id, editorToken, '?force=true')
    t.equal(forced.statusCode, 204)
    const afterResponse = await get(t, `/v1/articles/${article.id}`)
    const after = afterResponse.json()
    t.equal(after.featuredImage, null, 'the article lost its featured image')
    t.not(after.updatedAt, article.updatedAt, 'and moved on')
    t.not(afterResponse.headers.etag, before.headers.etag, 'its version moved: a new ETag')
    const stale = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: { ...bearer(adminSecret), 'if-match': String(before.headers.etag) }, payload: { title: 'Lost update' } })
    assertProblem(t, stale, 412, 'precondition-failed')
    const changes = (await request(app, t, { method: 'GET', url: `/v1/changes?since=${head}` })).json().data
    const entry = changes.find((change: Item) => change.resource === 'article' && change.id === String(article.id))
    t.match(entry, { kind: 'updated', articleId: article.id }, 'the change log has the update')
    t.ok(entry?.fields.includes('featuredImage'), 'naming featuredImage')
    t.equal((await get(t, `/v1/media/${adas.id}`)).statusCode, 404, 'the image is gone')
  })

  t.test('an article trashed and restored keeps its image, unless the image was deleted meanwhile', async (t) => {
    const trash = async (id: number) => (await request(app, t, { method: 'DELETE', url: `/v1/articles/${id}`, headers: bearer(adminSecret) })).statusCode
    const restore = async (id: number) => (await request(app, t, { method: 'POST', url: `/v1/trash/${id}/restore`, headers: bearer(adminSecret) })).statusCode
    const picture = await uploaded(app, t, { name: 'binned.jpg', data: image })
    const article = await createArticle(app, t, { title: 'Binned and back', authorId: bea.id, featuredImage: picture.id })
    t.equal(await trash(article.id), 204)
    const head = (await request(app, t, { method: 'GET', url: '/v1/changes?since=0&limit=1000', headers: bearer(adminSecret) })).json().meta.head
    t.equal(await restore(article.id), 200)
    t.equal((await get(t, `/v1/articles/${article.id}`)).json().featuredImage?.id, picture.id, 'restored with its featured image')
    const restored = (await request(app, t, { method: 'GET', url: `/v1/changes?since=${head}`, headers: bearer(adminSecret) })).json().data.find((change: Item) => change.kind === 'restored')
    t.ok(restored?.fields.includes('featuredImage'), 'the change log\'s restore names featuredImage', { restored })

    t.equal(await trash(article.id), 204)
    t.equal((await remove(t, picture.id)).statusCode, 204, 'a trashed article does not hold its image')
    t.equal(await restore(article.id), 200)
    t.equal((await get(t, `/v1/articles/${article.id}`)).json().featuredImage, null, 'restored without the image deleted meanwhile')
  })

  t.test('an author deleted: their images stay, owned by nobody', async (t) => {
    const leaving = await createAuthor(app, t, { name: 'Cal Leaving' })
    const picture = await uploaded(app, t, { name: 'left-behind.jpg', data: image }, {}, await tokenFor(app, 'author', leaving.id))
    t.equal(picture.ownerAuthorId, leaving.id)
    const gone = await request(app, t, { method: 'DELETE', url: `/v1/authors/${leaving.id}?reassignTo=${ada.id}`, headers: bearer(adminSecret) })
    t.equal(gone.statusCode, 204, { body: gone.body })
    const after = (await get(t, `/v1/media/${picture.id}`)).json()
    t.equal(after.ownerAuthorId, null)
    t.same(after.variants, picture.variants, 'with its files')
    t.equal((await fetchFile(app, after.url)).statusCode, 200)
  })

  t.test('an image in no article is deleted by its owner', async (t) => {
    const spare = await uploaded(app, t, { name: 'spare.jpg', data: image }, {}, beaToken)
    t.equal((await remove(t, spare.id, beaToken)).statusCode, 204)
    assertProblem(t, await remove(t, spare.id, beaToken), 404, 'not-found')
  })
})

t.test('listing and searching the library', async (t) => {
  const app = await build(t)
  const ada = await createAuthor(app, t, { name: 'Ada Owner' })
  const adaToken = await tokenFor(app, 'author', ada.id)
  const image = await photo(24, 16)
  const depot = await uploaded(app, t, { name: 'tram-depot.jpg', data: image }, { alt: 'Trams asleep in the depot' }, adaToken)
  const council = await uploaded(app, t, { name: 'council.jpg', data: image }, { caption: 'The council chamber' })
  const bridge = await uploaded(app, t, { name: 'bridge.jpg', data: image }, { credit: 'Photo: Lorna Tram' })
  const aerial = await uploaded(app, t, { name: 'aerial.jpg', data: image }, {}, adaToken)
  const list = async (t: Test, query: string) => {
    const response = await request(app, t, { method: 'GET', url: `/v1/media${query}`, headers: bearer(adaToken) })
    t.equal(response.statusCode, 200, { body: response.body })
    return response.json()
  }
  const ids = (body: Item) => body.data.map((item: Item) => item.id)

  t.same(ids(await list(t, '')), [aerial.id, bridge.id, council.id, depot.id], 'newest first')
  t.same(ids(await list(t, '?q=tram')), [bridge.id, depot.id], 'q finds the alt text and the credit')
  t.same(ids(await list(t, '?q=CHAMBER')), [council.id], 'the caption, case aside')
  t.same(ids(await list(t, '?q=aerial')), [aerial.id], 'the file name')
  t.same(ids(await list(t, '?q=tram%20depot')), [depot.id], 'every word must be found')
  t.same(ids(await list(t, '?q=nowhere')), [])
  for (const wildcard of ['%25', '_', '%5C', '%25tram']) t.same(ids(await list(t, `?q=${wildcard}`)), [], `q=${decodeURIComponent(wildcard)} is taken literally, not as a LIKE wildcard`)
  t.same(ids(await list(t, `?owner=${ada.id}`)), [aerial.id, depot.id], 'owner')
  t.same(ids(await list(t, '?sort=fileName')), [aerial.id, bridge.id, council.id, depot.id], 'by file name')
  t.same(ids(await list(t, '?sort=-fileName')), [depot.id, council.id, bridge.id, aerial.id], 'by file name, descending')

  t.test('cursor paging visits each item once', async (t) => {
    for (const sort of ['-createdAt', 'fileName']) {
      const seen: number[] = []
      let url: string | null = `?limit=3&sort=${sort}`
      while (url !== null) {
        const body = await list(t, url)
        seen.push(...ids(body))
        url = body.meta.nextCursor === null ? null : `?limit=3&sort=${sort}&cursor=${encodeURIComponent(body.meta.nextCursor)}`
      }
      t.same(seen, ids(await list(t, `?sort=${sort}`)), `${sort}: every item, in order`)
    }
  })

  t.test('bad queries name their parameter', async (t) => {
    assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/media?sort=width', headers: bearer(adaToken) }), 400, 'validation', 'querystring.sort')
    assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/media?owner=x', headers: bearer(adaToken) }), 400, 'validation', 'querystring.owner')
    assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/media?size=1', headers: bearer(adaToken) }), 400, 'validation', 'querystring.size')
  })
})

t.test('articles embed their featured image', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ada Owner' })
  const item = await uploaded(app, t, { name: 'lead.jpg', data: await photo(500, 250) }, { alt: 'The lead picture', caption: 'Lead', credit: 'Desk' })
  const other = await uploaded(app, t, { name: 'second.jpg', data: await photo(60, 40) })
  const embedded = { id: item.id, url: item.url, width: 500, height: 250, alt: 'The lead picture', caption: 'Lead', credit: 'Desk', srcset: item.srcset, sources: item.sources, placeholder: item.placeholder, dominantColor: item.dominantColor, focalPoint: item.focalPoint }
  const get = async (t: Test, url: string) => {
    const response = await request(app, t, { method: 'GET', url, headers: bearer(adminSecret) })
    t.equal(response.statusCode, 200, { body: response.body })
    return response.json()
  }
  const article = await createArticle(app, t, { title: 'With a picture', authorId: author.id, status: 'published', publishedAt: '2026-02-03T08:00:00.000Z', featuredImage: item.id })

  t.test('on create, in GET one, the list, fields=, the author\'s latest and a day\'s page', async (t) => {
    t.same(article.featuredImage, embedded, 'the created article embeds it')
    t.same((await get(t, `/v1/articles/${article.id}`)).featuredImage, embedded)
    t.same((await get(t, '/v1/articles')).data.find((entry: Item) => entry.id === article.id).featuredImage, embedded)
    t.same(await get(t, `/v1/articles/${article.id}?fields=featuredImage`), { id: article.id, featuredImage: embedded })
    t.same((await get(t, `/v1/authors/${author.id}?include=articles`)).articles.find((entry: Item) => entry.id === article.id).featuredImage, embedded)
    t.same((await get(t, '/v1/dates/2026-02-03')).articles.find((entry: Item) => entry.id === article.id).featuredImage, embedded)
  })

  t.test('a PATCH of the image shows in the articles embedding it', async (t) => {
    await request(app, t, { method: 'PATCH', url: `/v1/media/${item.id}`, headers: bearer(adminSecret), payload: { alt: 'The lead picture, described better' } })
    t.equal((await get(t, `/v1/articles/${article.id}`)).featuredImage.alt, 'The lead picture, described better')
  })

  t.test('PATCH to another image, then to null', async (t) => {
    const swapped = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { featuredImage: other.id } })
    t.equal(swapped.statusCode, 200, { body: swapped.body })
    t.equal(swapped.json().featuredImage.id, other.id)
    const cleared = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { featuredImage: null } })
    t.equal(cleared.json().featuredImage, null)
    t.equal((await get(t, `/v1/articles/${article.id}`)).featuredImage, null)
    t.equal((await request(app, t, { method: 'DELETE', url: `/v1/media/${other.id}`, headers: bearer(adminSecret) })).statusCode, 204, 'no longer in use')
  })

  t.test('an article without one has null', async (t) => {
    const plain = await createArticle(app, t, { title: 'Words only', authorId: author.id })
    t.equal(plain.featuredImage, null)
  })

  t.test('a media id that does not exist is a 400 naming body.featuredImage', async (t) => {
    const created = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'x', body: '<p>x</p>', authorId: author.id, featuredImage: 999999 } })
    assertProblem(t, created, 400, 'validation', 'body.featuredImage')
    const patched = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { featuredImage: 999999 } })
    assertProblem(t, patched, 400, 'validation', 'body.featuredImage')
    assertProblem(t, await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { featuredImage: 'lead.jpg' } }), 400, 'validation', 'body.featuredImage')
  })
})
