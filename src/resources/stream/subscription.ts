import { PassThrough } from 'node:stream'
import type { Follower } from './live.js'
import { asEvent, matches, type StreamFilter } from './service.js'

// A client that reads slower than changes come is dropped past this much unsent: it reconnects
// with Last-Event-ID and catches up from the log, rather than this process holding its backlog.
const maxUnsentBytes = 1024 * 1024

/**
 * One client's open stream: the changes its filter lets through, a heartbeat while it is idle,
 * and one end, whoever ends it (the client leaving, the server closing, a backlog too long).
 */
export class Subscription {
  readonly stream = new PassThrough()
  readonly follower: Follower
  readonly #heartbeat: NodeJS.Timeout
  #ended = false

  constructor (filter: StreamFilter, since: number, heartbeatMs: number, private readonly onEnd: (subscription: Subscription) => void) {
    this.follower = {
      after: since,
      byLabel: filter.labelKey !== null,
      accept: (changes) => {
        if (this.#ended) return
        for (const change of changes) if (matches(filter, change)) this.stream.write(asEvent(change))
        if (this.stream.writableLength > maxUnsentBytes) this.end()
      }
    }
    this.#heartbeat = setInterval(() => { this.stream.write(': still here\n\n') }, heartbeatMs).unref()
    this.stream.once('close', () => { this.end() })
    // How long an EventSource waits before it reconnects.
    this.stream.write('retry: 3000\n\n')
  }

  get ended (): boolean {
    return this.#ended
  }

  end (): void {
    if (this.#ended) return
    this.#ended = true
    clearInterval(this.#heartbeat)
    this.onEnd(this)
    this.stream.end()
  }
}

/** Streams open per client, up to a cap. */
export class OpenStreams {
  readonly #byClient = new Map<string, number>()

  constructor (private readonly perClient: number) {}

  /** Counts one more for `client`; false, counting nothing, when it has its cap open already. */
  open (client: string): boolean {
    const open = this.#byClient.get(client) ?? 0
    if (open >= this.perClient) return false
    this.#byClient.set(client, open + 1)
    return true
  }

  closed (client: string): void {
    const left = (this.#byClient.get(client) ?? 1) - 1
    if (left === 0) this.#byClient.delete(client)
    else this.#byClient.set(client, left)
  }
}
