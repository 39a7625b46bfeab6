import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import type { TapLike } from './helper.js'

/** One POST as the receiver got it, its signature checked with the `standardwebhooks` library. */
export interface Received {
  id: string
  body: Record<string, any>
  verified: boolean
  at: number
}

/** What the receiver does with a request: answer it (status, body), or never answer (`hang`). */
export type Behaviour = (received: Received, request: IncomingMessage) => { status: number, body?: string, headers?: Record<string, string> } | 'hang'

/**
 * A webhook receiver on a real socket: records every delivery, verifies its signature as a
 * customer's server would, and behaves as told (answers 500, hangs, goes down).
 */
export class Receiver {
  readonly received: Received[] = []
  secret = ''
  behaviour: Behaviour = () => ({ status: 200, body: 'thanks' })
  #server: Server | null = null
  readonly #hanging = new Set<ServerResponse>()
  #waiters: Array<() => void> = []

  constructor (public port = 0) {}

  get url (): string {
    return `http://127.0.0.1:${this.port}/hook`
  }

  async start (): Promise<void> {
    this.#server = createServer((request, response) => { void this.#handle(request, response) })
    this.#server.listen(this.port, '127.0.0.1')
    await once(this.#server, 'listening')
    this.port = (this.#server.address() as AddressInfo).port
  }

  /** Stops listening and drops every connection: the receiver is down. */
  async stop (): Promise<void> {
    for (const response of this.#hanging) response.destroy()
    this.#hanging.clear()
    const server = this.#server
    this.#server = null
    if (server === null) return
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }

  /** Waits until `count` deliveries have arrived (or `ms` pass: the test's assertions then say what is missing). */
  async waitFor (count: number, ms = 10_000): Promise<Received[]> {
    const deadline = Date.now() + ms
    while (this.received.length < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
    return this.received
  }

  async #handle (request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const payload = Buffer.concat(chunks).toString('utf8')
    let verified = false
    try {
      new Webhook(this.secret).verify(payload, request.headers as Record<string, string>)
      verified = true
    } catch {}
    const received: Received = { id: String(request.headers['webhook-id']), body: JSON.parse(payload), verified, at: Date.now() }
    this.received.push(received)
    for (const wake of this.#waiters.splice(0)) wake()
    const answer = this.behaviour(received, request)
    if (answer === 'hang') {
      this.#hanging.add(response)
      return
    }
    response.on('error', () => {})
    response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.body ?? '')
  }
}

export async function startReceiver (t: TapLike, port = 0): Promise<Receiver> {
  const receiver = new Receiver(port)
  await receiver.start()
  t.teardown(async () => { await receiver.stop() })
  return receiver
}

/** Delivery options for tests: loopback allowed, quick rounds and retries. */
export const quickDeliveries = { allowPrivateTargets: true, pollMs: 20, timeoutMs: 2000, retryDelaysMs: [50, 100, 100, 100, 100] }
