// A steady mixed load through the proxy, as a handful of API clients on keep-alive connections
// would make it: list and by-id reads, creates, If-Match edits and readers' comments. Every
// request's outcome is kept with its times, and every write that was acknowledged is kept to be
// read back at the end.
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import { admin, host, sleep } from '../reliability/server-process.js'

export interface Reply { status: number, headers: http.IncomingHttpHeaders, body: string }

export interface Outcome {
  op: string
  startedAt: number
  endedAt: number
  /** The status, or the connection error's code. */
  result: number | string
  expected: boolean
  /** Kept for the unexpected: the start of the body, whether it is a problem document. */
  body?: string
  problem?: boolean
}

/** One request on `agent` (keep-alive: the loop's connection is reused); rejects on a connection error or after `timeoutMs`. */
export function call (port: number, agent: http.Agent | false, method: string, path: string, headers: Record<string, string> = {}, body?: unknown, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const sent = { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }) }
    const request = http.request({ host, port, method, path, headers: sent, agent }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }))
      response.on('error', reject)
    })
    request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })))
    request.on('error', reject)
    request.end(payload)
  })
}

/** What the load wrote and was told succeeded: the state each must still have at the end. */
export interface Acknowledged {
  /** Article id → the titles it may hold: the last acknowledged one, and an edit whose answer was lost. */
  articles: Map<number, string[]>
  /** Comment id → its text. */
  comments: Map<number, string>
}

interface Current { id: number, etag: string, title: string, comments: number }

// Readers' comments per article stay under the comment limit (5 a minute from one address).
const commentsPerArticle = 3

/**
 * `loops` clients sending requests one after another until stopped, a few milliseconds
 * apart. Each edits and comments only articles it created, so no outcome depends on another
 * loop (an If-Match that fails here is a lost answer, not a race).
 */
export class Load {
  readonly outcomes: Outcome[] = []
  #running = false
  #loops: Array<Promise<void>> = []
  #count = 0

  constructor (readonly port: number, readonly authorIds: number[], readonly acknowledged: Acknowledged, readonly name: string, readonly pauseMs = 10) {}

  start (): void {
    this.#running = true
    this.#loops = this.authorIds.map(async (authorId, loop) => { await this.#loop(authorId, loop) })
  }

  async stop (): Promise<Outcome[]> {
    this.#running = false
    await Promise.all(this.#loops)
    return this.outcomes
  }

  failures (): Outcome[] {
    return this.outcomes.filter((outcome) => !outcome.expected)
  }

  async #loop (authorId: number, loop: number): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    let current: Current | null = null
    try {
      for (let n = 0; this.#running; n++) {
        const pick = n % 10
        if (current === null || pick === 0 || current.comments >= commentsPerArticle) current = await this.#create(agent, authorId, loop, n)
        else if (pick < 4) await this.#send(agent, 'list', 'GET', '/v1/articles?limit=10', {}, undefined, [200])
        else if (pick < 6) await this.#send(agent, 'read', 'GET', `/v1/articles/${current.id}`, {}, undefined, [200])
        else if (pick < 8) current = await this.#edit(agent, current, loop, n)
        else current = await this.#comment(agent, current, loop, n)
        await sleep(this.pauseMs)
      }
    } finally {
      agent.destroy()
    }
  }

  async #send (agent: http.Agent, op: string, method: string, path: string, headers: Record<string, string>, body: unknown, expected: number[]): Promise<Reply | null> {
    const startedAt = Date.now()
    try {
      const reply = await call(this.port, agent, method, path, headers, body)
      const ok = expected.includes(reply.status)
      const problem = String(reply.headers['content-type']).startsWith('application/problem+json')
      this.outcomes.push({ op, startedAt, endedAt: Date.now(), result: reply.status, expected: ok, ...(ok ? {} : { body: reply.body.slice(0, 300), problem }) })
      return ok ? reply : null
    } catch (error) {
      this.outcomes.push({ op, startedAt, endedAt: Date.now(), result: String((error as { code?: string }).code ?? (error as Error).message), expected: false })
      return null
    }
  }

  /** Scripts' creates carry an Idempotency-Key on every other loop; the others send none. */
  async #create (agent: http.Agent, authorId: number, loop: number, n: number): Promise<Current | null> {
    const title = `${this.name} loop ${loop} article ${n} ${++this.#count}`
    const headers = { ...admin, ...(loop % 2 === 0 ? { 'idempotency-key': randomUUID() } : {}) }
    const reply = await this.#send(agent, loop % 2 === 0 ? 'keyed create' : 'create', 'POST', '/v1/articles', headers, { title, body: '<p>Filed under load.</p>', status: 'published', authorId }, [201])
    if (reply === null) return null
    const id = JSON.parse(reply.body).id as number
    this.acknowledged.articles.set(id, [title])
    return { id, etag: String(reply.headers.etag), title, comments: 0 }
  }

  /** An edit whose answer is lost leaves the article out of the loop: it may hold either title. */
  async #edit (agent: http.Agent, current: Current, loop: number, n: number): Promise<Current | null> {
    const title = `${this.name} loop ${loop} edit ${n} ${++this.#count}`
    const reply = await this.#send(agent, 'edit', 'PATCH', `/v1/articles/${current.id}`, { ...admin, 'if-match': current.etag }, { title }, [200])
    if (reply === null) {
      this.acknowledged.articles.set(current.id, [current.title, title])
      return null
    }
    this.acknowledged.articles.set(current.id, [title])
    return { ...current, etag: String(reply.headers.etag), title }
  }

  /** A reader's comment, as a browser posts it: no token, no Idempotency-Key. */
  async #comment (agent: http.Agent, current: Current, loop: number, n: number): Promise<Current | null> {
    const text = `${this.name} loop ${loop} comment ${n} ${++this.#count}`
    const reply = await this.#send(agent, 'comment', 'POST', `/v1/articles/${current.id}/comments`, {}, { authorName: `Reader ${loop}`, body: text }, [201])
    if (reply === null) return null
    this.acknowledged.comments.set(JSON.parse(reply.body).id as number, text)
    return { ...current, comments: current.comments + 1 }
  }
}

/** Outcomes counted by what happened, e.g. `{ "200": 812, "201": 240, "ECONNRESET": 1 }`. */
export function tally (outcomes: Array<{ result: number | string }>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const { result } of outcomes) counts[result] = (counts[result] ?? 0) + 1
  return counts
}

/** "3 of 1204 failed (comment 502, create ECONNRESET …)" */
export function describe (outcomes: Outcome[]): string {
  const failed = outcomes.filter((outcome) => !outcome.expected)
  const detail = failed.slice(0, 10).map((outcome) => `${outcome.op} ${outcome.result}${outcome.body === undefined ? '' : ` (${detailOf(outcome.body)})`}`).join('; ')
  return `${failed.length} of ${outcomes.length} failed${failed.length === 0 ? '' : ` (${detail}${failed.length > 10 ? ' …' : ''})`}`
}

function detailOf (body: string): string {
  try {
    return String((JSON.parse(body) as { detail?: unknown }).detail)
  } catch {
    return body.slice(0, 100)
  }
}
