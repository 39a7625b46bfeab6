import type { FastifyBaseLogger } from 'fastify'
import { changeLogQueries, type LoggedChange } from '../../db/change-log.js'
import { metaQueries } from '../../db/meta.js'
import type { Store } from '../../db/store.js'
import { prunedThroughKey } from '../changes/service.js'
import { eventOf, payloadOf, subscribes } from './events.js'
import { DeliveryFailed, post, type ReceiverAnswer } from './outbound.js'
import { webhookQueries, type AttemptOutcome, type DeliveryRow, type NewDeliveryRow, type WebhookRow } from './queries.js'
import { signatureHeaders } from './signing.js'

export interface DeliveryOptions {
  /** How often the change log and the outbox are looked at (default 1 s; lowered by tests). */
  pollMs: number
  /** The whole of one attempt, connection to answer (default 10 s). */
  timeoutMs: number
  /** The wait after each failed attempt of a run, in order; the attempt after the last one is the run's last. */
  retryDelaysMs: readonly number[]
  /** A webhook whose every attempt failed for this long is disabled (default 3 days). */
  disableAfterMs: number
  /** Deliver to private, loopback and link-local addresses too (DATELINE_WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivateTargets: boolean
  /** Attempts in flight at once in this instance. */
  concurrency: number
}

const second = 1000
const minute = 60 * second
const hour = 60 * minute

/** Standard Webhooks' suggested schedule: eight attempts over about 27 hours. */
export const defaultRetryDelaysMs = [5 * second, 5 * minute, 30 * minute, 2 * hour, 5 * hour, 10 * hour, 10 * hour]

export const defaultDeliveryOptions: DeliveryOptions = {
  pollMs: second,
  timeoutMs: 10 * second,
  retryDelaysMs: defaultRetryDelaysMs,
  disableAfterMs: 72 * hour,
  allowPrivateTargets: false,
  concurrency: 8
}

/** Log entries fanned out to one webhook per round at most: a backlog is worked through over rounds, none of them long. */
const fanOutWindow = 200
/** Webhooks fanned out to per round at most. */
const fanOutWebhooks = 10

/** The secrets that sign at `at`: the current one, and the one it replaced until that expires. */
function signingSecrets (webhook: WebhookRow, at: Date): string[] {
  const { secret, previousSecret, previousSecretExpiresAt } = webhook
  return previousSecret !== null && previousSecretExpiresAt !== null && Date.parse(previousSecretExpiresAt) > at.getTime() ? [secret, previousSecret] : [secret]
}

/** A delay ±20 %, so receivers that failed together are not all retried together. */
function withJitter (ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4))
}

function isoAfter (from: Date, ms: number): string {
  return new Date(from.getTime() + ms).toISOString()
}

/** The deliveries a webhook gets for log entries, in log order. */
function deliveriesFor (webhook: WebhookRow, entries: LoggedChange[], now: string): NewDeliveryRow[] {
  const events = JSON.parse(webhook.events) as string[]
  return entries.filter((entry) => subscribes(events, eventOf(entry))).map((entry) => ({
    webhookId: webhook.id,
    // One message per webhook and entry: a fan-out that ran twice would fail on the unique id, not send twice.
    messageId: `msg_w${webhook.id}p${entry.position}`,
    position: entry.position,
    event: eventOf(entry),
    subject: `${entry.resource}:${entry.resourceId}`,
    payload: payloadOf(entry),
    status: 'pending',
    attempts: 0,
    step: 0,
    nextAttemptAt: now,
    createdAt: now
  }))
}

/**
 * Turns the log's new entries into deliveries for the webhooks behind its head, a window of
 * them per webhook; answers whether any has more left to fan out. Run by the deliverer each
 * round, on any instance: each webhook's cursor moves in the same unit as its deliveries are
 * made, and two instances at once take different webhooks.
 */
export async function fanOut (store: Store): Promise<boolean> {
  const head = await changeLogQueries(store).head()
  const lowest = await webhookQueries(store).lowestCursor()
  if (lowest === null || lowest >= head) return false
  return await store.bookkeeping(async (tx) => {
    const prunedThrough = Number(await metaQueries(tx).read(prunedThroughKey) ?? 0)
    const now = new Date().toISOString()
    const behind = await webhookQueries(tx).webhooksBehindForFanOut(head, fanOutWebhooks)
    let backlog = behind.length === fanOutWebhooks
    for (const webhook of behind) {
      // Entries pruned while a webhook was disabled are gone: it goes on from the oldest kept.
      const since = Math.max(webhook.cursor, prunedThrough)
      const through = Math.min(head, since + fanOutWindow)
      const entries = await changeLogQueries(tx).entries({ since, through, limit: fanOutWindow, publicOnly: false, alsoAuthorId: null })
      await webhookQueries(tx).insertDeliveries(deliveriesFor(webhook, entries, now))
      await webhookQueries(tx).updateWebhook(webhook.id, { cursor: through })
      backlog ||= through < head
    }
    return backlog
  })
}

/**
 * Sends webhooks: one per instance, started with the app. Each round it turns the change log's
 * new entries into deliveries (the outbox, `webhook_deliveries`), in the same order, and sends
 * those due. A delivery is claimed with a lease before it is sent and its outcome written
 * after, each in a unit of its own: no transaction is open while a receiver is waited for,
 * instances claim different deliveries, and a delivery whose sender died is claimed again
 * when its lease runs out. A round's database work is small and bounded; sending is I/O.
 */
export class WebhookDeliverer {
  readonly #options: DeliveryOptions
  readonly #stopping = new AbortController()
  readonly #inFlight = new Set<Promise<void>>()
  #timer: NodeJS.Timeout | null = null
  #round: Promise<void> | null = null

  constructor (private readonly store: Store, options: Partial<DeliveryOptions>, private readonly log: FastifyBaseLogger) {
    this.#options = { ...defaultDeliveryOptions, ...options }
  }

  /** A claim outlives the longest attempt, and the moment it takes to write its outcome. */
  get #leaseMs (): number {
    return this.#options.timeoutMs * 3
  }

  start (): void {
    this.#next(this.#options.pollMs)
  }

  /** Stops rounds and attempts; an attempt cut short is handed back, due at once, for whichever instance runs next. */
  async close (): Promise<void> {
    this.#stopping.abort()
    if (this.#timer !== null) clearTimeout(this.#timer)
    await this.#round
    await Promise.all(this.#inFlight)
  }

  /** One round: fan out, then send what is due. Answers whether the log has more to fan out right away. */
  async round (): Promise<boolean> {
    const backlog = await fanOut(this.store)
    await this.#sendDue()
    return backlog
  }

  #next (delayMs: number): void {
    if (this.#stopping.signal.aborted) return
    this.#timer = setTimeout(() => {
      this.#round = this.round()
        .catch((error: unknown) => { this.log.warn({ err: error }, 'a round of webhook deliveries failed'); return false })
        .then((backlog) => { this.#round = null; this.#next(backlog ? 0 : this.#options.pollMs) })
    }, delayMs).unref()
  }

  async #sendDue (): Promise<void> {
    const free = this.#options.concurrency - this.#inFlight.size
    const now = new Date()
    if (free <= 0 || !(await webhookQueries(this.store).anyDue(now.toISOString()))) return
    const leaseUntil = isoAfter(now, this.#leaseMs)
    const claimed = await this.store.bookkeeping(async (tx) => await webhookQueries(tx).claimDue({ now: now.toISOString(), leaseUntil, limit: free }))
    if (claimed.length === 0) return
    // Read after the claim, not joined to it: a webhook changed meanwhile is sent as it is now.
    const webhooks = await webhookQueries(this.store).webhooksByIds([...new Set(claimed.map(({ webhookId }) => webhookId))])
    const byId = new Map(webhooks.map((webhook) => [webhook.id, webhook]))
    for (const delivery of claimed) {
      const webhook = byId.get(delivery.webhookId)
      // Deleted since the claim: its deliveries went with it.
      if (webhook === undefined) continue
      const attempt = this.#attempt(webhook, delivery, leaseUntil).catch((error: unknown) => {
        this.log.warn({ err: error, delivery: delivery.id }, 'a webhook delivery could not be recorded')
      }).finally(() => this.#inFlight.delete(attempt))
      this.#inFlight.add(attempt)
    }
  }

  /** Sends a claimed delivery and writes what came of it. */
  async #attempt (webhook: WebhookRow, delivery: DeliveryRow, leaseUntil: string): Promise<void> {
    const sentAt = new Date()
    let answer: ReceiverAnswer | DeliveryFailed
    try {
      const headers = signatureHeaders(signingSecrets(webhook, sentAt), delivery.messageId, sentAt, delivery.payload)
      answer = await post(new URL(webhook.url), delivery.payload, headers, this.#options, this.#stopping.signal)
    } catch (error) {
      if (this.#stopping.signal.aborted) {
        await this.store.bookkeeping(async (tx) => { await webhookQueries(tx).releaseClaim(delivery.id, leaseUntil, new Date().toISOString()) })
        return
      }
      answer = error instanceof DeliveryFailed ? error : new DeliveryFailed(String(error))
    }
    await this.store.bookkeeping(async (tx) => { await this.#record(tx, delivery, leaseUntil, answer) })
  }

  /** Writes an attempt's outcome, and what it says about the webhook (failing, disabled, well). */
  async #record (tx: Store, delivery: DeliveryRow, leaseUntil: string, answer: ReceiverAnswer | DeliveryFailed): Promise<void> {
    const now = new Date()
    const outcome = this.#outcome(delivery, answer, now)
    if (!(await webhookQueries(tx).recordAttempt(delivery.id, leaseUntil, outcome))) return
    const webhook = await webhookQueries(tx).webhookByIdForUpdate(delivery.webhookId)
    if (webhook === undefined) return
    if (outcome.status === 'delivered') {
      if (webhook.failingSince !== null) await webhookQueries(tx).updateWebhook(webhook.id, { failingSince: null })
      return
    }
    const failingSince = webhook.failingSince ?? now.toISOString()
    if (webhook.enabled && now.getTime() - Date.parse(failingSince) >= this.#options.disableAfterMs) {
      const hours = Math.round((now.getTime() - Date.parse(failingSince)) / hour)
      await webhookQueries(tx).updateWebhook(webhook.id, {
        enabled: false,
        disabledReason: `Every attempt since ${failingSince} failed (${hours} h); enable it again once the receiver works`,
        failingSince,
        version: webhook.version + 1,
        updatedAt: now.toISOString()
      })
    } else if (webhook.failingSince === null) {
      await webhookQueries(tx).updateWebhook(webhook.id, { failingSince })
    }
  }

  #outcome (delivery: DeliveryRow, answer: ReceiverAnswer | DeliveryFailed, now: Date): AttemptOutcome {
    const received = answer instanceof DeliveryFailed ? null : answer
    if (received !== null && received.status >= 200 && received.status < 300) {
      return { status: 'delivered', step: delivery.step + 1, nextAttemptAt: delivery.nextAttemptAt, responseStatus: received.status, responseExcerpt: received.excerpt, error: null, deliveredAt: now.toISOString() }
    }
    const error = received === null
      ? (answer as DeliveryFailed).message
      : `answered ${received.status}${received.status >= 300 && received.status < 400 ? ': redirects are not followed' : ''}`
    const failed = delivery.step + 1
    const delay = this.#options.retryDelaysMs[failed - 1]
    return {
      status: delay === undefined ? 'failed' : 'pending',
      step: failed,
      nextAttemptAt: delay === undefined ? delivery.nextAttemptAt : isoAfter(now, withJitter(delay)),
      responseStatus: received?.status ?? null,
      responseExcerpt: received?.excerpt ?? null,
      error,
      deliveredAt: null
    }
  }
}
