import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Store } from '../../db/store.js'
import { nowIso } from '../../lib/time.js'
import { addressRefusal, checkedLookup } from '../webhooks/outbound.js'
import { ImageRefused, processImage, type ImageLimits, type ProcessedImage } from './images.js'
import { mediaQueries, type MediaRow } from './queries.js'
import { uploadColumns, writeFiles } from './service.js'
import type { MediaStore } from './storage.js'

// `dateline media fetch`: brings in the files of the images an import knew only by address
// (external items), where a network is at hand. Each is downloaded, checked and resized as an
// upload is (images.ts), stored under a new key, and its row becomes an upload's. The
// addresses come from an export file, that is from anyone: so, as for webhooks (SSRF), only
// public addresses unless allowed, every address a name resolves to checked, a deadline, a
// size limit, and few redirects, each checked again.

export interface FetchLimits extends ImageLimits {
  /** Largest file taken, in bytes (the upload limit). */
  maxBytes: number
  /** One download, first byte sent to last byte read, redirects included. */
  timeoutMs: number
  maxRedirects: number
  /** Private, loopback and link-local addresses too (an intranet's images, tests). */
  allowPrivateTargets: boolean
}

export const defaultFetchTimeoutMs = 30_000
export const defaultMaxRedirects = 5

/** The flag that allows private addresses, named when one is refused. */
const allowedBy = '--allow-private'

/** Why one item's file could not be brought in; the item stays external. */
export class FetchFailed extends Error {}

/** What happened to one item. */
export type FetchOutcome =
  | { id: number, fileName: string, url: string, fetched: true, width: number, height: number, variants: number }
  | { id: number, fileName: string, url: string, fetched: false, reason: string }

function describeError (error: unknown, limits: FetchLimits): string {
  if (error instanceof FetchFailed) return error.message
  const { name, code, message } = error as { name?: string, code?: string, message?: string }
  if (name === 'AbortError' || name === 'TimeoutError') return `no answer within ${limits.timeoutMs} ms`
  return code === undefined ? String(message) : `${code}: ${String(message)}`
}

/** Reads the body, refusing one larger than `maxBytes` as soon as it says so or grows so. */
async function readBody (response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) throw new FetchFailed(`the file is ${declared} bytes, more than the ${maxBytes} allowed`)
  const chunks: Buffer[] = []
  let read = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    read += chunk.length
    if (read > maxBytes) throw new FetchFailed(`the file is more than the ${maxBytes} bytes allowed`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function checkedTarget (url: URL, limits: FetchLimits): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchFailed(`${url.protocol} is not http or https`)
  const refused = addressRefusal(url, limits.allowPrivateTargets, allowedBy)
  if (refused !== null) throw new FetchFailed(refused)
}

/** One GET: the answer, its body unread. */
async function get (url: URL, limits: FetchLimits, signal: AbortSignal): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = send(url, {
      method: 'GET',
      headers: { accept: 'image/*', 'user-agent': 'Dateline-Media-Fetch' },
      lookup: checkedLookup(limits.allowPrivateTargets, allowedBy),
      // One connection per request: a pooled one could have been made to an address checked before a redirect.
      agent: false,
      signal
    }, resolve)
    outgoing.on('error', reject)
    outgoing.end()
  })
}

/** The file at `address`, following at most `maxRedirects` redirects, each checked as the first address. */
export async function download (address: string, limits: FetchLimits): Promise<Buffer> {
  const signal = AbortSignal.timeout(limits.timeoutMs)
  let url = new URL(address)
  for (let redirects = 0; ; redirects++) {
    checkedTarget(url, limits)
    const response = await get(url, limits, signal)
    const status = response.statusCode ?? 0
    const location = response.headers.location
    if (status >= 300 && status < 400 && location !== undefined) {
      response.resume()
      if (redirects >= limits.maxRedirects) throw new FetchFailed(`more than ${limits.maxRedirects} redirects`)
      url = new URL(location, url)
      continue
    }
    if (status !== 200) {
      response.resume()
      throw new FetchFailed(`the server answered ${status}`)
    }
    return await readBody(response, limits.maxBytes)
  }
}

/**
 * Turns an external item into an upload: its files are published under a new key before the
 * row names them (as an upload's: service.ts), and the row changes only if it is still the
 * external item it was when its download began (an import or an edit may have changed its
 * address meanwhile). Files no row names are removed.
 */
export async function becomeUpload (store: Store, media: MediaStore, row: MediaRow, original: Buffer, image: ProcessedImage): Promise<void> {
  const key = await writeFiles(media, { original, image })
  try {
    await store.transaction(async (tx) => {
      const queries = mediaQueries(tx)
      const current = await queries.mediaByIdForUpdate(row.id)
      if (current === undefined) throw new FetchFailed('the item was deleted meanwhile')
      if (current.source !== 'external' || current.externalUrl !== row.externalUrl) throw new FetchFailed('the item changed meanwhile')
      await queries.updateMedia(row.id, { ...uploadColumns(key, original, image), updatedAt: nowIso() })
    })
  } catch (error) {
    await media.remove(key)
    throw error
  }
}

async function fetchOne (store: Store, media: MediaStore, row: MediaRow, limits: FetchLimits): Promise<FetchOutcome> {
  const url = row.externalUrl ?? ''
  const described = { id: row.id, fileName: row.fileName, url }
  try {
    if (!URL.canParse(url)) throw new FetchFailed('the item has no address')
    const original = await download(url, limits)
    let image: ProcessedImage
    try {
      image = await processImage(original, row.fileName, limits)
    } catch (error) {
      if (error instanceof ImageRefused) throw new FetchFailed(`the file ${error.message}`)
      throw error
    }
    await becomeUpload(store, media, row, original, image)
    return { ...described, fetched: true, width: image.width, height: image.height, variants: image.variants.length }
  } catch (error) {
    return { ...described, fetched: false, reason: describeError(error, limits) }
  }
}

const pageSize = 100

/**
 * Fetches every external item, one at a time (each is a second or more of CPU to resize),
 * telling `onItem` of each as it ends. An item that fails stays external and is told with
 * its reason; the others go on.
 */
export async function fetchExternalMedia (store: Store, media: MediaStore, limits: FetchLimits, onItem: (outcome: FetchOutcome, done: number, total: number) => void): Promise<FetchOutcome[]> {
  const queries = mediaQueries(store)
  const total = await queries.countExternalMedia()
  const outcomes: FetchOutcome[] = []
  let afterId = 0
  for (;;) {
    const rows = await queries.externalMediaAfter(afterId, pageSize)
    if (rows.length === 0) return outcomes
    for (const row of rows) {
      const outcome = await fetchOne(store, media, row, limits)
      outcomes.push(outcome)
      onItem(outcome, outcomes.length, Math.max(total, outcomes.length))
    }
    afterId = rows.at(-1)!.id
  }
}
