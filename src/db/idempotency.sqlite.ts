import { and, eq, like, lt, lte, or, type SQL } from 'drizzle-orm'
import type { Db } from './client.js'
import type { IdempotencyQueries } from './idempotency.js'
import { claimedStatus, committedStatus } from './idempotency-status.js'
import { idempotencyKeys } from './schema.js'

/** When a kept row gives way to a new claim: expired, or claimed by work that never committed and went quiet. */
function takeable (staleBefore: string, expiredBefore: string): SQL {
  return or(lt(idempotencyKeys.createdAt, expiredBefore), and(eq(idempotencyKeys.status, claimedStatus), lt(idempotencyKeys.createdAt, staleBefore)))!
}

export function sqliteIdempotencyQueries (db: Db): IdempotencyQueries {
  return {
    async storedAnswer (scope, key) {
      return db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))).get() ?? undefined
    },

    async claim ({ scope, key, requestDigest, claimedAt }, staleBefore, expiredBefore) {
      const fresh = { scope, key, requestDigest, status: claimedStatus, headers: '{}', body: '', createdAt: claimedAt }
      const taken = db.insert(idempotencyKeys).values(fresh)
        .onConflictDoUpdate({ target: [idempotencyKeys.scope, idempotencyKeys.key], set: { requestDigest, status: claimedStatus, headers: '{}', body: '', createdAt: claimedAt }, setWhere: takeable(staleBefore, expiredBefore) })
        .run()
      return taken.changes === 1
    },

    async renewClaims (claims, at) {
      for (const { scope, key } of claims) {
        db.update(idempotencyKeys).set({ createdAt: at })
          .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), lte(idempotencyKeys.status, committedStatus))).run()
      }
    },

    async markCommitted (scope, key) {
      db.update(idempotencyKeys).set({ status: committedStatus })
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), eq(idempotencyKeys.status, claimedStatus))).run()
    },

    async releaseClaim (scope, key) {
      db.delete(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), eq(idempotencyKeys.status, claimedStatus))).run()
    },

    async keepAnswer (answer) {
      const { requestDigest, status, headers, body, createdAt } = answer
      db.insert(idempotencyKeys).values(answer)
        .onConflictDoUpdate({ target: [idempotencyKeys.scope, idempotencyKeys.key], set: { requestDigest, status, headers, body, createdAt } })
        .run()
    },

    async purgeExpired (before) {
      db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before)).run()
    },

    // With secure_delete the old bytes are overwritten rather than left in free pages, and a
    // checkpoint takes the write-ahead log's copy into the file.
    async forgetStoredSecrets () {
      const client = db.$client
      client.pragma('secure_delete = ON')
      try {
        const { changes } = db.update(idempotencyKeys).set({ body: '' }).where(like(idempotencyKeys.body, '%"secret":"dl_%')).run()
        if (changes > 0) client.pragma('wal_checkpoint(TRUNCATE)')
      } finally {
        client.pragma('secure_delete = OFF')
      }
    }
  }
}
