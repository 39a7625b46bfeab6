import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { MediaBucketLocation } from '../config.js'
import { Unavailable } from '../errors.js'
import { processImage, type ImageLimits, type ProcessedImage } from '../resources/media/images.js'
import type { MediaBucket } from '../resources/media/s3-store.js'
import { contentTypeOf, immutableCacheControl, MediaFolder, mediaKeyPattern, variantFilePattern, type MediaStore } from '../resources/media/storage.js'

export interface MediaOptions extends ImageLimits {
  /** An S3-compatible bucket to keep images in; null: the folder. */
  bucket: MediaBucketLocation | null
  /** The media folder, when there is no bucket; null: a temporary one, removed when the app closes (tests, `:memory:`). */
  directory: string | null
  /** Largest upload, in bytes. */
  maxBytes: number
  /** Uploads one client may send per window (the rate-limit window). */
  uploadsPerWindow: number
}

/** What the media routes reach through `app.media`. */
export interface MediaLibrary {
  store: MediaStore
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

/** The headers every served file gets, from the folder or the bucket. */
function setFileHeaders (reply: Pick<FastifyReply, 'header'>): void {
  reply.header('x-content-type-options', 'nosniff')
  reply.header('content-security-policy', "default-src 'none'; sandbox")
  // Front ends on other origins show these images.
  reply.header('cross-origin-resource-policy', 'cross-origin')
}

// A wildcard, so that any other path under /media is a 404, not a 405 (plugins/problem.ts).
const variantRoute = {
  url: '/media/*',
  schema: { hide: true },
  // A client that goes away mid-file is not an error to answer.
  errorHandler: (error: { code?: string }, request: FastifyRequest) => {
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') return request.raw.destroy()
    throw error
  }
}

/**
 * The route is ours, not @fastify/static's wildcard: for a wildcard path it lists every
 * folder on the way (the media folder, then the item's) on each request to refuse another
 * spelling of the name, and the media folder holds one folder per image: 10,000 images made
 * every request read 10,000 names. Keys and variant names admit lower-case only, as written.
 */
async function serveFromFolder (app: FastifyInstance, root: string): Promise<void> {
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
      setHeaders: setFileHeaders
    })
    scope.route<{ Params: { '*': string } }>({
      ...variantRoute,
      method: 'GET',
      handler: (request, reply) => {
        const variant = variantOf(request.params['*'])
        if (variant === null) return reply.callNotFound()
        return reply.sendFile(variant.file, join(root, variant.key))
      }
    })
  })
}

/** One `bytes=` range, passed on to the bucket; any other Range header is ignored (the whole file is a valid answer to it). */
function singleRange (request: FastifyRequest): string | undefined {
  const range = request.headers.range
  if (range === undefined || request.headers['if-range'] !== undefined) return undefined
  return /^bytes=(?:\d{1,15}-\d{0,15}|-\d{1,15})$/.test(range) ? range : undefined
}

/**
 * Variants from the bucket, through the API: the same URLs, headers, ETag (the bucket's),
 * Range and 304 as from the folder, so front ends and a CDN in front see no difference.
 */
function serveFromBucket (app: FastifyInstance, bucket: MediaBucket): void {
  app.route<{ Params: { '*': string } }>({
    ...variantRoute,
    method: 'GET',
    handler: async (request, reply) => {
      const variant = variantOf(request.params['*'])
      if (variant === null) return reply.callNotFound()
      const ifNoneMatch = request.headers['if-none-match']
      const headOnly = request.method === 'HEAD'
      const range = singleRange(request)
      const read = await bucket.serve(variant.key, variant.file, { headOnly, ...(range === undefined ? {} : { range }), ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }) })
      if (read === null) return reply.callNotFound()
      setFileHeaders(reply)
      reply.header('cache-control', immutableCacheControl).header('accept-ranges', 'bytes')
      if (read.etag !== undefined) reply.header('etag', read.etag)
      if (read.status === 304) return reply.code(304).send()
      if (read.status === 416) {
        const whole = await bucket.serve(variant.key, variant.file, { headOnly: true })
        if (whole?.length !== undefined) reply.header('content-range', `bytes */${whole.length}`)
        return reply.code(416).send()
      }
      reply.code(read.status).type(contentTypeOf(variant.file))
      if (read.length !== undefined) reply.header('content-length', read.length)
      if (read.contentRange !== undefined) reply.header('content-range', read.contentRange)
      // HEAD: an empty stream, so Fastify keeps the length given above.
      return reply.send(read.body ?? Readable.from([]))
    }
  })
}

/**
 * Where images are kept (the media folder or a bucket) and the route that serves them.
 * Variants never change once written (a new upload gets a new key), so they are served as
 * immutable, for a year, with an ETag and Range: a CDN can sit in front. Every file has its
 * `Content-Type` from its own extension, which we wrote from the detected format, and `nosniff`.
 */
export default fp<MediaOptions>(async function mediaPlugin (app, options) {
  let store: MediaStore
  if (options.bucket !== null) {
    const { MediaBucket } = await import('../resources/media/s3-store.js')
    const bucket = new MediaBucket(options.bucket)
    // A bucket that is missing or refused stops the start, with the reason, not the first upload.
    app.addHook('onReady', async () => { await bucket.verify() })
    app.addHook('onClose', () => { bucket.close() })
    serveFromBucket(app, bucket)
    store = bucket
  } else {
    const root = options.directory ?? await mkdtemp(join(tmpdir(), 'dateline-media-'))
    // Nothing is created or read on disk until it is needed: a server that cannot open its
    // database (or is only checking it) leaves no folder behind. (Leftovers: plugins/media-sweep.ts.)
    if (options.directory === null) app.addHook('onClose', async () => { await rm(root, { recursive: true, force: true }) })
    await serveFromFolder(app, root)
    store = new MediaFolder(root)
  }

  const gate = new ProcessingGate()
  app.decorate('media', {
    store,
    options,
    process: async (input: Buffer, fileName: string) => await gate.run(async () => await processImage(input, fileName, options))
  })
}, { name: 'dateline-media' })
