import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object as S3Object
} from '@aws-sdk/client-s3'
import type { MediaBucketLocation } from '../../config.js'
import { Unavailable } from '../../errors.js'
import { contentTypeOf, immutableCacheControl, mediaKeyPattern, type MediaFile, type MediaStore } from './storage.js'

// Images in an S3-compatible bucket: an item's files are objects under `{prefix}{key}/`.
// Objects never change once written (a new upload gets a new key), and a row names its key
// only after every object is written, so readers never see half an item. S3 has no rename,
// so nothing is staged: an upload that dies leaves objects no row names, which the sweep
// removes. The access keys come from the SDK's usual places (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, a profile, a role), never from our settings, so they are never printed.

/** What a served file needs from the bucket: its bytes (or a part of them) and its validators. */
export interface BucketRead {
  /** 200, 206 (a range), 304 (the client's copy is current) or 416 (a range past the end). */
  status: 200 | 206 | 304 | 416
  body: Readable | null
  etag: string | undefined
  length: number | undefined
  contentRange: string | undefined
}

export interface BucketReadOptions {
  range?: string
  ifNoneMatch?: string
  /** Only the headers (HEAD). */
  headOnly?: boolean
}

/** What a client is told to wait when the store fails. */
const retryAfterSeconds = 5

// An upload's twenty-odd files go up a few at a time: each is a round trip.
const uploadsAtOnce = 4

function statusOf (error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
}

function isMissing (error: unknown): boolean {
  const name = (error as { name?: string }).name
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404
}

/** The answers that are part of reading a file (not there, current, out of range), as opposed to a store that fails. */
function isAnswer (error: unknown): boolean {
  const status = statusOf(error)
  return isMissing(error) || status === 304 || status === 416
}

export class MediaBucket implements MediaStore {
  readonly location: string
  private readonly client: S3Client

  constructor (private readonly where: MediaBucketLocation) {
    this.location = `s3://${where.bucket}/${where.prefix}`
    this.client = new S3Client({
      region: where.region,
      ...(where.endpoint === null ? {} : { endpoint: where.endpoint, forcePathStyle: true }),
      // Checksums only where S3 requires them: not every S3-compatible store knows the newer ones.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A store that stops answering fails a request in seconds, not after the OS gives up.
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 }
    })
  }

  /**
   * A request to the bucket. A store that fails or does not answer is a 503 to the client
   * (the request may be retried), never a 500; the SDK has already retried it.
   */
  private async call<Output> (request: (client: S3Client) => Promise<Output>): Promise<Output> {
    try {
      return await request(this.client)
    } catch (error) {
      if (isAnswer(error)) throw error
      // The reason goes to the log (with the cause), not to the client: it names hosts and buckets.
      throw Object.assign(new Unavailable(`The image store is not answering; retry in ${retryAfterSeconds} seconds`), { cause: error, retryAfterSeconds })
    }
  }

  private objectKey (key: string, file: string): string {
    return `${this.where.prefix}${key}/${file}`
  }

  async verify (): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.where.bucket }))
    } catch (error) {
      const status = statusOf(error)
      const reason = status === 404 ? 'there is no such bucket' : status === 403 ? 'access is denied (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)' : (error as Error).message
      throw new Error(`cannot use the media bucket ${this.location}${this.where.endpoint === null ? '' : ` at ${this.where.endpoint}`}: ${reason}`)
    }
  }

  async put (key: string, files: MediaFile[]): Promise<void> {
    for (let start = 0; start < files.length; start += uploadsAtOnce) {
      // Settled, not Promise.all: a write still being retried when another failed would land
      // after the clean-up below, leaving objects no row names.
      const writes = await Promise.allSettled(files.slice(start, start + uploadsAtOnce).map(async (file) => await this.call(async (client) => await client.send(new PutObjectCommand({
        Bucket: this.where.bucket,
        Key: this.objectKey(key, file.name),
        Body: file.data,
        // For a CDN or a browser reading the bucket directly; the API sets its own.
        ContentType: contentTypeOf(file.name),
        CacheControl: immutableCacheControl
      })))))
      const failed = writes.find((write) => write.status === 'rejected')
      if (failed !== undefined) {
        // A store that fails now may fail this too: the sweep removes what is left.
        await this.remove(key).catch(() => {})
        throw failed.reason
      }
    }
  }

  async remove (key: string): Promise<void> {
    // One request per object: DeleteObjects needs a Content-MD5 that not every store's SDK path sends.
    for (const object of await this.objects(`${this.where.prefix}${key}/`)) {
      await this.call(async (client) => await client.send(new DeleteObjectCommand({ Bucket: this.where.bucket, Key: object.Key })))
    }
  }

  /** Every object under `prefix`, a page of a thousand at a time. */
  private async objects (prefix: string): Promise<S3Object[]> {
    const objects: S3Object[] = []
    for await (const page of this.pages(prefix)) objects.push(...(page.Contents ?? []))
    return objects
  }

  private async * pages (prefix: string, delimiter?: string): AsyncGenerator<{ Contents?: S3Object[], CommonPrefixes?: Array<{ Prefix?: string }> }> {
    let token: string | undefined
    do {
      const page = await this.call(async (client) => await client.send(new ListObjectsV2Command({
        Bucket: this.where.bucket,
        Prefix: prefix,
        ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
        ...(token === undefined ? {} : { ContinuationToken: token })
      })))
      yield page
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  /** The item key in an object's key (`{prefix}{key}/{file}`), or null for an object that is not an item's. */
  private keyOf (objectKey: string): string | null {
    const key = objectKey.slice(this.where.prefix.length).split('/')[0] ?? ''
    return mediaKeyPattern.test(key) ? key : null
  }

  async * keys (): AsyncGenerator<string> {
    for await (const page of this.pages(this.where.prefix, '/')) {
      for (const { Prefix } of page.CommonPrefixes ?? []) {
        const key = Prefix === undefined ? null : this.keyOf(Prefix)
        if (key !== null) yield key
      }
    }
  }

  async files (key: string): Promise<string[]> {
    const folder = `${this.where.prefix}${key}/`
    return (await this.objects(folder)).flatMap((object) => object.Key === undefined ? [] : [object.Key.slice(folder.length)])
  }

  async read (key: string, file: string): Promise<Buffer | null> {
    try {
      const object = await this.call(async (client) => await client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: this.objectKey(key, file) })))
      return Buffer.from(await object.Body!.transformToByteArray())
    } catch (error) {
      if (isMissing(error)) return null
      throw error
    }
  }

  async copyTo (key: string, file: string, path: string): Promise<boolean> {
    let body: Readable
    try {
      body = (await this.call(async (client) => await client.send(new GetObjectCommand({ Bucket: this.where.bucket, Key: this.objectKey(key, file) })))).Body as Readable
    } catch (error) {
      if (isMissing(error)) return false
      throw error
    }
    try {
      await pipeline(body, createWriteStream(path))
    } catch (error) {
      await rm(path, { force: true })
      throw error
    }
    return true
  }

  async keysOlderThan (ageMs: number, now = Date.now()): Promise<string[]> {
    // An item is as old as its newest object: one still being written is young.
    const newest = new Map<string, number>()
    for await (const page of this.pages(this.where.prefix)) {
      for (const object of page.Contents ?? []) {
        const key = object.Key === undefined ? null : this.keyOf(object.Key)
        if (key === null) continue
        newest.set(key, Math.max(newest.get(key) ?? 0, object.LastModified?.getTime() ?? now))
      }
    }
    return [...newest].flatMap(([key, modified]) => now - modified >= ageMs ? [key] : [])
  }

  /** Nothing is staged in a bucket: the orphan sweep finds what a dead upload left. */
  async sweepStaging (): Promise<number> {
    return 0
  }

  /** One file as the media route serves it: a range of it, or a 304 for a current copy. */
  async serve (key: string, file: string, options: BucketReadOptions): Promise<BucketRead | null> {
    const target = { Bucket: this.where.bucket, Key: this.objectKey(key, file), ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }) }
    try {
      if (options.headOnly === true) {
        const head = await this.call(async (client) => await client.send(new HeadObjectCommand(target)))
        return { status: 200, body: null, etag: head.ETag, length: head.ContentLength, contentRange: undefined }
      }
      const object = await this.call(async (client) => await client.send(new GetObjectCommand({ ...target, ...(options.range === undefined ? {} : { Range: options.range }) })))
      const status = object.ContentRange === undefined ? 200 : 206
      return { status, body: object.Body as Readable, etag: object.ETag, length: object.ContentLength, contentRange: object.ContentRange }
    } catch (error) {
      if (isMissing(error)) return null
      const status = statusOf(error)
      if (status === 304) return { status: 304, body: null, etag: options.ifNoneMatch, length: undefined, contentRange: undefined }
      if (status === 416) return { status: 416, body: null, etag: undefined, length: undefined, contentRange: undefined }
      throw error
    }
  }

  close (): void {
    this.client.destroy()
  }
}
