/** How failed requests are tried again. */
export interface RetryOptions {
  /** Tries in all, the first included (default 3; 1 never retries). */
  attempts?: number
  /** A `Retry-After` longer than this is not waited for: the error is thrown at once (default 30 s). */
  maxDelayMs?: number
  /** The wait before a retry the server gave no `Retry-After` for, doubled each time (default 500 ms). */
  baseDelayMs?: number
}

export interface TransportOptions {
  /** The fetch to send with (default `globalThis.fetch`). */
  fetch?: (request: Request) => Promise<Response>
  /** Keep read answers by ETag and revalidate them with `If-None-Match` (default true). */
  cache?: boolean
  retry?: RetryOptions
  /** Give every POST an `Idempotency-Key` unless it has one (default true). */
  idempotencyKeys?: boolean
}

interface CachedRead {
  etag: string
  body: string
  headers: Array<[string, string]>
}

// RFC 9110 §9.2.2: these may be sent twice with the effect of once. A POST joins them when it
// carries an Idempotency-Key: the API answers a retry with the first answer.
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])
const retryStatuses = new Set([429, 503])

/** `Retry-After` in milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs (header: string | null, now = Date.now()): number | null {
  if (header === null) return null
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

function sleep (ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

// Typed loosely: Node's RequestInit type lacks `cache`, which its fetch accepts (and ignores).
const revalidate = { cache: 'no-cache' } as Record<string, unknown> as RequestInit

function withHeader (request: Request, name: string, value: string): Request {
  const headers = new Headers(request.headers)
  headers.set(name, value)
  return new Request(request, { headers })
}

/**
 * A fetch that adds what every Dateline call wants: an Idempotency-Key on POSTs, the ETag
 * cache for reads, and retries on 429/503 after `Retry-After`. openapi-fetch sends through it.
 */
export class Transport {
  private readonly send: (request: Request) => Promise<Response>
  private readonly cacheReads: boolean
  private readonly keyPosts: boolean
  private readonly attempts: number
  private readonly maxDelayMs: number
  private readonly baseDelayMs: number
  private readonly reads = new Map<string, CachedRead>()

  constructor (options: TransportOptions = {}) {
    // Bound late: a page or a test may replace globalThis.fetch after the client is made.
    this.send = options.fetch ?? ((request) => globalThis.fetch(request))
    this.cacheReads = options.cache ?? true
    this.keyPosts = options.idempotencyKeys ?? true
    this.attempts = Math.max(1, options.retry?.attempts ?? 3)
    this.maxDelayMs = options.retry?.maxDelayMs ?? 30_000
    this.baseDelayMs = options.retry?.baseDelayMs ?? 500
  }

  /** Forgets every kept read (the client's own writes do this by themselves). */
  clearCache (): void {
    this.reads.clear()
  }

  readonly fetch = async (input: Request): Promise<Response> => {
    let request = input
    if (request.method === 'POST' && this.keyPosts && !request.headers.has('idempotency-key')) {
      request = withHeader(request, 'idempotency-key', crypto.randomUUID())
    }
    if (request.method !== 'GET' || !this.cacheReads) return this.write(request)
    return this.read(request)
  }

  private async write (request: Request): Promise<Response> {
    const response = await this.withRetries(request)
    // A write changes lists and counts that many kept reads hold: drop them all rather than
    // guess which, so the client sees its own write on its next read.
    if (response.ok && !safeMethods.has(request.method)) this.reads.clear()
    return response
  }

  private async read (request: Request): Promise<Response> {
    // Who asks shapes the answer (drafts, private fields), so the token is part of the key.
    const key = `${request.headers.get('authorization') ?? ''} ${request.url}`
    const kept = this.reads.get(key)
    const ownCondition = request.headers.has('if-none-match')
    // With If-None-Match set, a browser skips its HTTP cache; without a kept copy, `no-cache`
    // makes it revalidate what it holds instead of answering from it for max-age.
    const sent = kept !== undefined && !ownCondition
      ? withHeader(request, 'if-none-match', kept.etag)
      : new Request(request, revalidate)
    const response = await this.withRetries(sent)
    if (response.status === 304 && kept !== undefined && !ownCondition) {
      // Read to its (empty) end: an unread answer counts as aborted in a browser's network log.
      await response.arrayBuffer()
      return new Response(kept.body, { status: 200, statusText: 'OK', headers: kept.headers })
    }
    const etag = response.headers.get('etag')
    if (response.status === 200 && etag !== null) {
      this.reads.set(key, { etag, body: await response.clone().text(), headers: [...response.headers] })
    }
    return response
  }

  private retryable (request: Request): boolean {
    return idempotentMethods.has(request.method) || (request.method === 'POST' && request.headers.has('idempotency-key'))
  }

  private backoff (attempt: number): number {
    return this.baseDelayMs * 2 ** (attempt - 1)
  }

  private async withRetries (request: Request): Promise<Response> {
    const retryable = this.retryable(request)
    for (let attempt = 1; ; attempt++) {
      const last = !retryable || attempt >= this.attempts
      let response: Response
      try {
        // Each try sends a copy: a body can be read once.
        response = await this.send(last ? request : request.clone())
      } catch (error) {
        // A network failure (the server restarting); an abort is the caller's wish.
        if (last || request.signal.aborted) throw error
        await sleep(this.backoff(attempt), request.signal)
        continue
      }
      if (last || !retryStatuses.has(response.status)) return response
      const delay = retryAfterMs(response.headers.get('retry-after')) ?? this.backoff(attempt)
      if (delay > this.maxDelayMs) return response
      await response.body?.cancel()
      await sleep(delay, request.signal)
    }
  }
}
