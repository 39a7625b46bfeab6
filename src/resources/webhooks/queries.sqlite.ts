import { and, asc, count, desc, eq, gt, inArray, lt, lte, min, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { webhookDeliveries, webhooks } from '../../db/schema.js'
import type { DeliveryRow, WebhookQueries } from './queries.js'

function ofStatus (status: DeliveryRow['status'] | undefined) {
  return status === undefined ? undefined : eq(webhookDeliveries.status, status)
}

export function sqliteWebhookQueries (db: Db): WebhookQueries {
  const webhookById = async (id: number) => db.select().from(webhooks).where(eq(webhooks.id, id)).get()
  return {
    async insertWebhook (row) {
      return db.insert(webhooks).values(row).returning().get()
    },

    webhookById,
    // One writer at a time: the unit's own write lock already keeps others out.
    webhookByIdForUpdate: webhookById,

    async webhooksByIds (ids) {
      return db.select().from(webhooks).where(inArray(webhooks.id, ids)).all()
    },

    async updateWebhook (id, values) {
      return db.update(webhooks).set(values).where(eq(webhooks.id, id)).returning().get()!
    },

    async deleteWebhook (id) {
      db.delete(webhooks).where(eq(webhooks.id, id)).run()
    },

    async countWebhooks (afterId) {
      return db.select({ total: count() }).from(webhooks).where(afterId === undefined ? undefined : gt(webhooks.id, afterId)).get()?.total ?? 0
    },

    async pageOfWebhooks (afterId, limit, offset) {
      return db.select().from(webhooks)
        .where(afterId === null ? undefined : gt(webhooks.id, afterId))
        .orderBy(asc(webhooks.id)).limit(limit).offset(offset).all()
    },

    async lowestCursor () {
      return db.select({ lowest: min(webhooks.cursor) }).from(webhooks).where(eq(webhooks.enabled, true)).get()?.lowest ?? null
    },

    async webhooksBehindForFanOut (head, limit) {
      return db.select().from(webhooks)
        .where(and(eq(webhooks.enabled, true), lt(webhooks.cursor, head)))
        .orderBy(asc(webhooks.cursor)).limit(limit).all()
    },

    async insertDeliveries (rows) {
      if (rows.length > 0) db.insert(webhookDeliveries).values(rows).run()
    },

    async anyDue (now) {
      return db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
        .limit(1).get() !== undefined
    },

    async claimDue ({ now, leaseUntil, limit }) {
      const due = db.all<{ id: number }>(sql`
        select d.id from webhook_deliveries d join webhooks w on w.id = d.webhook_id
        where d.status = 'pending' and d.next_attempt_at <= ${now} and (d.lease_until is null or d.lease_until <= ${now}) and w.enabled
          and not exists (select 1 from webhook_deliveries earlier
            where earlier.webhook_id = d.webhook_id and earlier.subject = d.subject and earlier.id < d.id and earlier.status = 'pending')
        order by d.next_attempt_at, d.id
        limit ${limit}`)
      if (due.length === 0) return []
      return db.update(webhookDeliveries)
        .set({ leaseUntil, lastAttemptAt: now, attempts: sql`${webhookDeliveries.attempts} + 1` })
        .where(inArray(webhookDeliveries.id, due.map(({ id }) => id)))
        .returning().all()
        .sort((a, b) => a.id - b.id)
    },

    async recordAttempt (id, leaseUntil, outcome) {
      const result = db.update(webhookDeliveries).set({ ...outcome, leaseUntil: null })
        .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.leaseUntil, leaseUntil)))
        .run()
      return result.changes > 0
    },

    async releaseClaim (id, leaseUntil, now) {
      db.update(webhookDeliveries)
        .set({ leaseUntil: null, nextAttemptAt: now, attempts: sql`${webhookDeliveries.attempts} - 1` })
        .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.leaseUntil, leaseUntil)))
        .run()
    },

    async duePendingNow (webhookId, now) {
      db.update(webhookDeliveries).set({ nextAttemptAt: now })
        .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.status, 'pending')))
        .run()
    },

    async deliveryById (webhookId, id) {
      return db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.id, id))).get()
    },

    async updateDelivery (id, values) {
      return db.update(webhookDeliveries).set(values).where(eq(webhookDeliveries.id, id)).returning().get()!
    },

    async pruneDeliveries (before) {
      db.delete(webhookDeliveries).where(and(ne(webhookDeliveries.status, 'pending'), lt(webhookDeliveries.createdAt, before))).run()
    },

    async countDeliveries (webhookId, status, beforeId) {
      return db.select({ total: count() }).from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.webhookId, webhookId), ofStatus(status), beforeId === undefined ? undefined : lt(webhookDeliveries.id, beforeId)))
        .get()?.total ?? 0
    },

    async pageOfDeliveries (webhookId, status, beforeId, limit, offset) {
      return db.select().from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.webhookId, webhookId), ofStatus(status), beforeId === null ? undefined : lt(webhookDeliveries.id, beforeId)))
        .orderBy(desc(webhookDeliveries.id)).limit(limit).offset(offset).all()
    }
  }
}
