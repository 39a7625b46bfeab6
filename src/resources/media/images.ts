import sharp, { type Metadata, type Sharp } from 'sharp'

// What an upload becomes: the image checked for what it is (by its bytes, never its name or
// declared type), then its variants, each encoded without the original's metadata, so EXIF
// and GPS (a reporter's location) never leave the server.

/** The formats taken in, as their bytes say; SVG and everything else are refused. */
export const imageFormats = ['jpeg', 'png', 'webp', 'avif', 'gif'] as const
export type ImageFormat = (typeof imageFormats)[number]

/** The widths made (those under the image's own), each in every variant format: a `srcset`. */
export const variantWidths = [320, 640, 1024, 1600, 2048] as const

export const mimeTypes: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif'
}

export const extensions: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif', gif: 'gif' }

export interface ImageLimits {
  /** Decoded pixels at most (every frame of an animation counted): a decompression bomb is refused from its header. */
  maxPixels: number
}

/** Why an upload is not an image we take: the route answers each with its own problem. */
export class ImageRefused extends Error {
  constructor (readonly reason: 'format' | 'pixels' | 'damaged', message: string) {
    super(message)
  }
}

export interface Variant {
  /** Its file name in the item's folder: `{name}-{width}w.{extension}`. */
  file: string
  format: ImageFormat
  width: number
  height: number
  bytes: number
}

export interface ProcessedImage {
  format: ImageFormat
  /** As shown: after the EXIF orientation is applied. */
  width: number
  height: number
  animated: boolean
  /** `#rrggbb`. */
  dominantColor: string
  /** A tiny blurred WebP as a `data:` URI (a few hundred bytes). */
  placeholder: string
  variants: Array<Variant & { data: Buffer }>
}

function startsWith (bytes: Buffer, signature: number[], at = 0): boolean {
  return signature.every((byte, index) => bytes[at + index] === byte)
}

const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0))

/**
 * The format the bytes are in, from their signature: only these reach the decoder, so an SVG,
 * HTML page or anything else is never parsed (librsvg included), whatever it is called.
 */
export function sniffFormat (bytes: Buffer): ImageFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif'
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp'
  // An ISO-BMFF `ftyp` box whose major brand is AVIF's (HEIC and other HEIF kinds are not taken).
  if (startsWith(bytes, ascii('ftyp'), 4) && (startsWith(bytes, ascii('avif'), 8) || startsWith(bytes, ascii('avis'), 8))) return 'avif'
  return null
}

const decodeOptions = (limits: ImageLimits, animated: boolean) => ({
  // Truncated or corrupt data fails the decode instead of coming out half grey.
  failOn: 'error' as const,
  limitInputPixels: limits.maxPixels,
  animated
})

/** The image's header: its format, size and frames, read without decoding a pixel. */
async function inspect (input: Buffer, limits: ImageLimits): Promise<{ format: ImageFormat, width: number, height: number, frames: number }> {
  const format = sniffFormat(input)
  if (format === null) throw new ImageRefused('format', `is not a JPEG, PNG, WebP, AVIF or GIF image (SVG is not taken: it can carry scripts)`)
  let metadata: Metadata
  try {
    metadata = await sharp(input, { failOn: 'none', limitInputPixels: false }).metadata()
  } catch {
    throw new ImageRefused('damaged', `is not a readable ${format.toUpperCase()} image`)
  }
  const { width, height } = metadata.autoOrient ?? metadata
  const frames = metadata.pages ?? 1
  if (width === undefined || height === undefined || width < 1 || height < 1) throw new ImageRefused('damaged', `is not a readable ${format.toUpperCase()} image`)
  if (width * height * frames > limits.maxPixels) {
    throw new ImageRefused('pixels', `is ${width}×${height} pixels${frames > 1 ? ` in ${frames} frames` : ''}, more than the ${limits.maxPixels.toLocaleString('en-US')} pixels an upload may decode to`)
  }
  return { format, width, height, frames }
}

/** A file name's stem as our variants carry it: lower-case ASCII letters, digits and hyphens. */
export function fileStem (fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '')
  return stem === '' ? 'image' : stem
}

/** The widths an image `width` pixels wide is made in: the standard ones below it, and its own up to the largest. */
export function widthsFor (width: number): number[] {
  const largest = Math.min(width, variantWidths.at(-1)!)
  return [...variantWidths.filter((candidate) => candidate < largest), largest]
}

function encode (pipeline: Sharp, format: ImageFormat): Sharp {
  switch (format) {
    case 'jpeg': return pipeline.jpeg({ quality: 82, mozjpeg: true })
    case 'png': return pipeline.png({ compressionLevel: 9, palette: false })
    case 'webp': return pipeline.webp({ quality: 80 })
    // Effort 0 of 9: on a photo, the five widths in under a second where effort 2 took 3 s and
    // the default 4 took 26 s, for files as small within a few per cent (larger by a quarter
    // on flat illustrations: still smaller than WebP).
    case 'avif': return pipeline.avif({ quality: 55, effort: 0 })
    case 'gif': return pipeline.gif()
  }
}

function hex (value: number): string {
  return value.toString(16).padStart(2, '0')
}

/**
 * Checks `input` and makes its variants. Each encode runs on one libuv thread, one after
 * another, so an upload never takes the whole thread pool from the server's file reads.
 */
export async function processImage (input: Buffer, fileName: string, limits: ImageLimits): Promise<ProcessedImage> {
  const { format, width, height, frames } = await inspect(input, limits)
  const animated = frames > 1 && (format === 'gif' || format === 'webp')
  const stem = fileStem(fileName)
  try {
    // Decoded once, oriented and brought to sRGB (a CMYK JPEG included), at the largest
    // width served; every smaller variant is made from these pixels, not the original.
    const master = animated
      ? null
      : await sharp(input, decodeOptions(limits, false)).autoOrient().resize({ width: Math.min(width, variantWidths.at(-1)!) }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
    const fromMaster = () => master === null
      ? sharp(input, decodeOptions(limits, true))
      : sharp(master.data, { raw: { width: master.info.width, height: master.info.height, channels: master.info.channels } })
    const hasAlpha = master !== null && master.info.channels === 4
    const formats: ImageFormat[] = animated ? ['gif', 'webp'] : [hasAlpha || format === 'png' ? 'png' : 'jpeg', 'webp', 'avif']
    const variants: ProcessedImage['variants'] = []
    for (const variantWidth of widthsFor(width)) {
      for (const variantFormat of formats) {
        const { data, info } = await encode(fromMaster().resize({ width: variantWidth }), variantFormat).toBuffer({ resolveWithObject: true })
        variants.push({ file: `${stem}-${variantWidth}w.${extensions[variantFormat]}`, format: variantFormat, width: info.width, height: animated ? (info.pageHeight ?? info.height) : info.height, bytes: data.length, data })
      }
    }
    const { dominant } = await fromMaster().stats()
    const tiny = await fromMaster().resize({ width: 16 }).blur(1).webp({ quality: 40 }).toBuffer()
    return {
      format,
      width,
      height,
      animated,
      dominantColor: `#${hex(dominant.r)}${hex(dominant.g)}${hex(dominant.b)}`,
      placeholder: `data:image/webp;base64,${tiny.toString('base64')}`,
      variants
    }
  } catch (error) {
    if (error instanceof ImageRefused) throw error
    throw new ImageRefused('damaged', `is not a complete ${format.toUpperCase()} image (${error instanceof Error ? error.message.split('\n')[0] : 'it could not be decoded'})`)
  }
}
