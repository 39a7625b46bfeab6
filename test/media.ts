import { writeFile } from 'node:fs/promises'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import sharp from 'sharp'
import { MediaFolder } from '../src/resources/media/storage.js'
import { adminSecret, bearer, request, type TapLike } from './helper.js'

// Images for the media tests, made with sharp as each test runs, and the multipart bodies
// that upload them.

export interface FilePart {
  name: string
  data: Buffer
  type?: string
  field?: string
}

/** A multipart/form-data body: text fields, then the files, as a browser's form sends them. */
export function multipart (fields: Record<string, string>, ...files: FilePart[]): { payload: Buffer, headers: Record<string, string> } {
  const boundary = `----dateline${Math.random().toString(16).slice(2)}`
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  for (const file of files) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name}"\r\ncontent-type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`), file.data, Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** A photo-like JPEG: a gradient with some noise, so it does not compress to nothing. */
export async function photo (width: number, height: number, options: { orientation?: number, gps?: boolean } = {}): Promise<Buffer> {
  const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 120, sigma: 50 } } }).png().toBuffer()
  let image = sharp(small).resize(width, height, { fit: 'fill' })
  if (options.gps === true) {
    image = image.withExif({ IFD0: { Copyright: 'Vell Herald', Make: 'Dateline Test Camera' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 26/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 39/1' } })
  }
  if (options.orientation !== undefined) image = image.withMetadata({ orientation: options.orientation })
  return await image.jpeg({ quality: 85 }).toBuffer()
}

/** A PNG with transparency. */
export async function transparentPng (width: number, height: number): Promise<Buffer> {
  return await sharp({ create: { width, height, channels: 4, background: { r: 200, g: 30, b: 60, alpha: 0.5 } } }).png().toBuffer()
}

/** An animated GIF of `frames` frames. */
export async function animatedGif (width: number, height: number, frames = 3): Promise<Buffer> {
  const colours = ['#d03030', '#30d030', '#3030d0', '#d0d030', '#30d0d0']
  const pictures = await Promise.all(Array.from({ length: frames }, async (_, i) =>
    await sharp({ create: { width, height, channels: 4, background: colours[i % colours.length]! } }).png().toBuffer()))
  return await sharp(pictures, { join: { animated: true } }).gif({ delay: pictures.map(() => 100) }).toBuffer()
}

/** A CMYK JPEG, as print desks send them. */
export async function cmykJpeg (width: number, height: number): Promise<Buffer> {
  return await sharp({ create: { width, height, channels: 3, background: '#2080c0' } }).toColourspace('cmyk').jpeg().toBuffer()
}

/** A PNG that is small on the wire and enormous decoded: a decompression bomb. */
export async function pngBomb (side = 12_000): Promise<Buffer> {
  return await sharp({ create: { width: side, height: side, channels: 3, background: '#000000' } }).png({ compressionLevel: 9 }).toBuffer()
}

export async function upload (app: FastifyInstance, t: TapLike, file: FilePart, fields: Record<string, string> = {}, secret = adminSecret): Promise<LightMyRequestResponse> {
  const body = multipart(fields, file)
  return await request(app, t, { method: 'POST', url: '/v1/media', headers: { ...bearer(secret), ...body.headers }, payload: body.payload })
}

/** Uploads an image and answers the new media item (throws on anything but a 201). */
export async function uploaded (app: FastifyInstance, t: TapLike, file: FilePart, fields: Record<string, string> = {}, secret = adminSecret): Promise<Record<string, any>> {
  const response = await upload(app, t, file, fields, secret)
  if (response.statusCode !== 201) throw new Error(`uploading failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

/** A WebP photo. */
export async function webpImage (width: number, height: number): Promise<Buffer> {
  return await sharp(await photo(width, height)).webp({ quality: 80 }).toBuffer()
}

/** An AVIF photo. */
export async function avifImage (width: number, height: number): Promise<Buffer> {
  return await sharp(await photo(width, height)).avif({ quality: 50, effort: 0 }).toBuffer()
}

function crc32 (bytes: Buffer): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1))
  }
  return (crc ^ 0xffffffff) >>> 0
}

/**
 * A PNG whose header claims `width`×`height` pixels over a few bytes of data: what a decoder
 * would allocate before it found out. Only a check of the header refuses it in time.
 */
export async function pngClaiming (width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000000' } }).png().toBuffer())
  // IHDR follows the 8-byte signature: length (4), type (4), width (4), height (4), … CRC over type and data.
  png.writeUInt32BE(width, 16)
  png.writeUInt32BE(height, 20)
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29)
  return png
}

/** A file among an item's files that Dateline never wrote (put there by hand), in its folder or bucket. */
export async function addStrayFile (app: FastifyInstance, key: string, name: string, data: Buffer): Promise<void> {
  const store = app.media.store
  // A folder's put would move a new folder onto the item's; a bucket's adds one object.
  if (store instanceof MediaFolder) await writeFile(store.pathOf(key, name), data)
  else await store.put(key, [{ name, data }])
}
