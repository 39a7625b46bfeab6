import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
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

/** `{key}/{variant}` under /media: an item's folder and one of its variant files (never the original); null for any other path. */
function variantOf (path: string): { key: string, file: string } | null {
  const [key, file, ...rest] = path.split('/')
  if (rest.length > 0 || key === undefined || file === undefined || !mediaKeyPattern.test(key) || !variantFilePattern.test(file)) return null
  return { key, file }
}

/**
 * The media folder and the files in it. Variants never change once written (a new upload
 * gets a new key), so they are served as immutable, for a year, with an ETag and Range:
 * a CDN can sit in front. Every file has its `Content-Type` from its own extension, which
 * we wrote from the detected format, and `nosniff`.
 */
export default fp<MediaOptions>(async function mediaPlugin (app, options) {
  const root = options.directory ?? await mkdtemp(join(tmpdir(), 'dateline-media-'))
  // Nothing is created or read on disk until it is needed: a server that cannot open its
  // database (or is only checking it) leaves no folder behind. (Leftovers: plugins/media-sweep.ts.)
  const folder = new MediaFolder(root)
  if (options.directory === null) app.addHook('onClose', async () => { await rm(root, { recursive: true, force: true }) })

  const gate = new ProcessingGate()
  app.decorate('media', {
    folder,
    options,
    process: async (input: Buffer, fileName: string) => await gate.run(async () => await processImage(input, fileName, options))
  })

  // The route is ours, not @fastify/static's wildcard: for a wildcard path it lists every
  // folder on the way (the media folder, then the item's) on each request to refuse another
  // spelling of the name, and the media folder holds one folder per image: 10,000 images made
  // every request read 10,000 names. Keys and variant names admit lower-case only, as written.
  await app.register(async function variantFiles (scope) {
    await scope.register(fastifyStatic, {
      root,
      serve: false,
      index: false,
      list: false,
      dotfiles: 'deny',
      immutable: true,
      maxAge: '365d',
      etag: true,
      lastModified: false,
      acceptRanges: true,
      setHeaders: (reply) => {
        reply.header('x-content-type-options', 'nosniff')
        reply.header('content-security-policy', "default-src 'none'; sandbox")
        // Front ends on other origins show these images.
        reply.header('cross-origin-resource-policy', 'cross-origin')
      }
    })
    // A wildcard, so that any other path under /media is a 404, not a 405 (plugins/problem.ts).
    scope.get<{ Params: { '*': string } }>('/media/*', {
      schema: { hide: true },
      // A client that goes away mid-file is not an error to answer.
      errorHandler: (error: { code?: string }, request, _reply) => {
        if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') return request.raw.destroy()
        throw error
      }
    }, (request, reply) => {
      const variant = variantOf(request.params['*'])
      if (variant === null) return reply.callNotFound()
      return reply.sendFile(variant.file, join(root, variant.key))
    })
  })
}, { name: 'dateline-media' })
