import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static'
import fp from 'fastify-plugin'
import { Unavailable } from '../errors.js'
import { processImage, type ImageLimits, type ProcessedImage } from '../resources/media/images.js'
import { MediaFolder, mediaKeyPattern, variantFilePattern } from '../resources/media/storage.js'

export interface MediaOptions extends ImageLimits {
  /** The media folder; null: a temporary one, removed when the app closes (tests, `:memory:`). */
  directory: string | null
  /** Largest upload, in bytes. */
  maxBytes: number
  /** Uploads one client may send per window (the rate-limit window). */
  uploadsPerWindow: number
}

/** What the media routes reach through `app.media`. */
export interface MediaLibrary {
  folder: MediaFolder
  options: MediaOptions
  /** Checks an upload and makes its variants, one upload at a time (see `ProcessingGate`). */
  process: (input: Buffer, fileName: string) => Promise<ProcessedImage>
}

declare module 'fastify' {
  interface FastifyInstance {
    media: MediaLibrary
  }
}

// Decoding and encoding take the CPU for a second or more per large image, on libuv's
// threads; two uploads at once would only wait for each other and hold twice the memory.
// So uploads are processed one at a time, a few wait their turn, and beyond that an upload
// is refused at once with a 503 and Retry-After rather than queued without bound.
const waitingAtMost = 4
const retryAfterSeconds = 5

class ProcessingGate {
  private running = false
  private readonly waiting: Array<() => void> = []

  async run<T> (work: () => Promise<T>): Promise<T> {
    if (this.running) {
      if (this.waiting.length >= waitingAtMost) {
        throw Object.assign(new Unavailable(`Other uploads are being processed; retry in ${retryAfterSeconds} seconds`), { retryAfterSeconds })
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    }
    this.running = true
    try {
      return await work()
    } finally {
      const next = this.waiting.shift()
      if (next === undefined) this.running = false
      else next()
    }
  }
}

/** Serves `/media/{key}/{variant}` from the folder: only variant files, only in an item's folder. */
function isServedPath (path: string): boolean {
  const [key, file, ...rest] = path.replace(/^\/+/, '').split('/')
  return rest.length === 0 && key !== undefined && file !== undefined && mediaKeyPattern.test(key) && variantFilePattern.test(file)
}

/** A request's path under /media/, percent-decoded; null when it does not decode. */
function requestedMediaPath (url: string): string | null {
  try {
    return decodeURIComponent(url.split('?')[0]!.replace(/^\/media\/?/, ''))
  } catch {
    return null
  }
}

/**
 * The media folder and the files in it. Variants never change once written (a new upload
 * gets a new key), so they are served as immutable, for a year, with an ETag and Range:
 * a CDN can sit in front. Every file has its `Content-Type` from its own extension, which
 * we wrote from the detected format, and `nosniff`.
 */
export default fp<MediaOptions>(async function mediaPlugin (app, options) {
  const root = options.directory ?? await mkdtemp(join(tmpdir(), 'dateline-media-'))
  const folder = new MediaFolder(root)
  await folder.open()
  await folder.sweepStaging()
  if (options.directory === null) app.addHook('onClose', async () => { await rm(root, { recursive: true, force: true }) })

  const gate = new ProcessingGate()
  app.decorate('media', {
    folder,
    options,
    process: async (input: Buffer, fileName: string) => await gate.run(async () => await processImage(input, fileName, options))
  })

  // Judged on the path as sent, before the file server resolves it: a path with dot segments
  // (`/media/../package.json`, `%2e%2e`) would otherwise be its 403, not the 404 of any other
  // path that is not a variant.
  await app.register(async function mediaFiles (files) {
    files.addHook('onRequest', async (request, reply) => {
      const path = requestedMediaPath(request.url)
      if (path === null || !isServedPath(path)) return reply.callNotFound()
    })
    await files.register(fastifyStatic, staticOptions(root))
  })
}, { name: 'dateline-media' })

function staticOptions (root: string): FastifyStaticOptions {
  return {
    root,
    prefix: '/media/',
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    wildcard: true,
    immutable: true,
    maxAge: '365d',
    etag: true,
    lastModified: false,
    acceptRanges: true,
    allowedPath: (path) => isServedPath(path),
    setHeaders: (reply) => {
      reply.header('x-content-type-options', 'nosniff')
      reply.header('content-security-policy', "default-src 'none'; sandbox")
      // Front ends on other origins show these images.
      reply.header('cross-origin-resource-policy', 'cross-origin')
    }
  }
}
