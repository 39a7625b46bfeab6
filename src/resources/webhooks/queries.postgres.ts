import { and, asc, count, desc, eq, gt, inArray, lt, lte, min, ne, sql } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { webhookDeliveries, webhooks } from '../../db/schema.postgres.js'
import type { DeliveryRow, WebhookQueries } from './queries.js'

function ofStatus (status: DeliveryRow['status'] | undefined) {
  return status === undefined ? undefined : eq(webhookDeliveries.status, status)
}

export function postgresWebhookQueries (db: PostgresHandle): WebhookQueries {
  return {
    async insertWebhook (row) {
      const [inserted] = await db.insert(webhooks).values(row).returning()
      return inserted!
    },

    async webhookById (id) {
      const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id))
      return row
    },

    async webhookByIdForUpdate (id) {
      const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id)).for('update')
      return row
    },

    async webhooksByIds (ids) {
      return await db.select().from(webhooks).where(inArray(webhooks.id, ids))
    },

    async updateWebhook (id, values) {
      const [row] = await db.update(webhooks).set(values).where(eq(webhooks.id, id)).returning()
      return row!
    },

    async deleteWebhook (id) {
      await db.delete(webhooks).where(eq(webhooks.id, id))
    },

    async countWebhooks (afterId) {
      const [row] = await db.select({ total: count() }).from(webhooks).where(afterId === undefined ? undefined : gt(webhooks.id, afterId))
      return row?.total ?? 0
    },

    async pageOfWebhooks (afterId, limit, offset) {
      return await db.select().from(webhooks)
        .where(afterId === null ? undefined : gt(webhooks.id, afterId))
        .orderBy(asc(webhooks.id)).limit(limit).offset(offset)
    },

    async lowestCursor () {
      const [row] = await db.select({ lowest: min(webhooks.cursor) }).from(webhooks).where(eq(webhooks.enabled, true))
      return row?.lowest ?? null
    },

    // SKIP LOCKED: of several instances fanning out at once, each takes the webhooks no other holds.
    async webhooksBehindForFanOut (head, limit) {
      return await db.select().from(webhooks)
        .where(and(eq(webhooks.enabled, true), lt(webhooks.cursor, head)))
        .orderBy(asc(webhooks.cursor)).limit(limit)
        .for('update', { skipLocked: true })
    },

    async insertDeliveries (rows) {
      if (rows.length > 0) await db.insert(webhookDeliveries).values(rows)
    },

    async anyDue (now) {
      const rows = await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now)))
        .limit(1)
      return rows.length > 0
    },

    // SKIP LOCKED: instances claiming at once each get other deliveries, and none waits for another.
    async claimDue ({ now, leaseUntil, limit }) {
      const { rows } = await db.execute<{ id: string }>(sql`
        update webhook_deliveries set lease_until = ${leaseUntil}, last_attempt_at = ${now}, attempts = attempts + 1
        where id in (
          select d.id from webhook_deliveries d join webhooks w on w.id = d.webhook_id
          where d.status = 'pending' and d.next_attempt_at <= ${now} and (d.lease_until is null or d.lease_until <= ${now}) and w.enabled
            and not exists (select 1 from webhook_deliveries earlier
              where earlier.webhook_id = d.webhook_id and earlier.subject = d.subject and earlier.id < d.id and earlier.status = 'pending')
          order by d.next_attempt_at, d.id
          limit ${limit}
          for update of d skip locked)
        returning id`)
      if (rows.length === 0) return []
      return await db.select().from(webhookDeliveries)
        .where(inArray(webhookDeliveries.id, rows.map(({ id }) => Number(id))))
        .orderBy(asc(webhookDeliveries.id))
    },

    async recordAttempt (id, leaseUntil, outcome) {
      const written = await db.update(webhookDeliveries).set({ ...outcome, leaseUntil: null })
        .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.leaseUntil, leaseUntil)))
        .returning({ id: webhookDeliveries.id })
      return written.length > 0
    },

    async releaseClaim (id, leaseUntil, now) {
      await db.update(webhookDeliveries)
        .set({ leaseUntil: null, nextAttemptAt: now, attempts: sql`${webhookDeliveries.attempts} - 1` })
        .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.leaseUntil, leaseUntil)))
    },

    async duePendingNow (webhookId, now) {
      await db.update(webhookDeliveries).set({ nextAttemptAt: now })
        .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.status, 'pending')))
    },

    async deliveryById (webhookId, id) {
      const [row] = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.id, id)))
      return row
    },

    async updateDelivery (id, values) {
      const [row] = await db.update(webhookDeliveries).set(values).where(eq(webhookDeliveries.id, id)).returning()
      return row!
    },

    async pruneDeliveries (before) {
      await db.delete(webhookDeliveries).where(and(ne(webhookDeliveries.status, 'pending'), lt(webhookDeliveries.createdAt, before)))
    },

    async countDeliveries (webhookId, status, beforeId) {
      const [row] = await db.select({ total: count() }).from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.webhookId, webhookId), ofStatus(status), beforeId === undefined ? undefined : lt(webhookDeliveries.id, beforeId)))
      return row?.total ?? 0
    },

    async pageOfDeliveries (webhookId, status, beforeId, limit, offset) {
      return await db.select().from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.webhookId, webhookId), ofStatus(status), beforeId === null ? undefined : lt(webhookDeliveries.id, beforeId)))
        .orderBy(desc(webhookDeliveries.id)).limit(limit).offset(offset)
    }
  }
}
