import type { webhookDeliveries, webhooks } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import { postgresWebhookQueries } from './queries.postgres.js'
import { sqliteWebhookQueries } from './queries.sqlite.js'

export type WebhookRow = typeof webhooks.$inferSelect
export type NewWebhookRow = typeof webhooks.$inferInsert
export type DeliveryRow = typeof webhookDeliveries.$inferSelect
export type NewDeliveryRow = typeof webhookDeliveries.$inferInsert
export type DeliveryStatus = DeliveryRow['status']

/** Which deliveries are due, and what claiming them writes. */
export interface Claim {
  now: string
  /** Until when the claimer may send them: another claim waits for this time to pass. */
  leaseUntil: string
  limit: number
}

/** What an attempt ended with, written unless the claim was lost meanwhile. */
export interface AttemptOutcome {
  status: DeliveryStatus
  step: number
  nextAttemptAt: string
  responseStatus: number | null
  responseExcerpt: string | null
  error: string | null
  deliveredAt: string | null
}

export interface WebhookQueries {
  insertWebhook: (row: NewWebhookRow) => Promise<WebhookRow>
  webhookById: (id: number) => Promise<WebhookRow | undefined>
  /** Locks the row until the unit of work ends (PostgreSQL), so concurrent changes queue. */
  webhookByIdForUpdate: (id: number) => Promise<WebhookRow | undefined>
  webhooksByIds: (ids: number[]) => Promise<WebhookRow[]>
  updateWebhook: (id: number, values: Partial<NewWebhookRow>) => Promise<WebhookRow>
  deleteWebhook: (id: number) => Promise<void>
  countWebhooks: (afterId?: number) => Promise<number>
  pageOfWebhooks: (afterId: number | null, limit: number, offset: number) => Promise<WebhookRow[]>

  /** The least cursor of the enabled webhooks (null when there are none): one cheap read per round. */
  lowestCursor: () => Promise<number | null>
  /** Enabled webhooks whose cursor is behind `head`, locked for fanning out; ones another instance holds are skipped. */
  webhooksBehindForFanOut: (head: number, limit: number) => Promise<WebhookRow[]>
  insertDeliveries: (rows: NewDeliveryRow[]) => Promise<void>

  /** Whether any delivery is due at `now`: a read, so an idle round takes no write lock. */
  anyDue: (now: string) => Promise<boolean>
  /**
   * Claims due deliveries of enabled webhooks, oldest first, leaving any whose subject has an
   * earlier delivery still pending (in order per resource); counts the attempt.
   */
  claimDue: (claim: Claim) => Promise<DeliveryRow[]>
  /** Writes an attempt's outcome if the claim is still this one's (`leaseUntil`); false when it was lost. */
  recordAttempt: (id: number, leaseUntil: string, outcome: AttemptOutcome) => Promise<boolean>
  /** Hands a claimed delivery back, due at once, the attempt uncounted (the server is stopping). */
  releaseClaim: (id: number, leaseUntil: string, now: string) => Promise<void>
  /** The pending deliveries of a webhook come due at once (it was enabled again). */
  duePendingNow: (webhookId: number, now: string) => Promise<void>

  deliveryById: (webhookId: number, id: number) => Promise<DeliveryRow | undefined>
  updateDelivery: (id: number, values: Partial<NewDeliveryRow>) => Promise<DeliveryRow>
  countDeliveries: (webhookId: number, status: DeliveryStatus | undefined, beforeId?: number) => Promise<number>
  /** Deletes the finished deliveries made before `before` (the change log's retention). */
  pruneDeliveries: (before: string) => Promise<void>
  /** Newest first. */
  pageOfDeliveries: (webhookId: number, status: DeliveryStatus | undefined, beforeId: number | null, limit: number, offset: number) => Promise<DeliveryRow[]>
}

export const webhookQueries = queriesFor<WebhookQueries>({ sqlite: sqliteWebhookQueries, postgres: postgresWebhookQueries })
