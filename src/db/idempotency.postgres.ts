import { and, eq, ilike, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import pg from 'pg'
import type { IdempotencyQueries } from './idempotency.js'
import { claimedStatus, committedStatus } from './idempotency-status.js'
import type { PostgresHandle } from './postgres-store.js'
import { idempotencyKeys } from './schema.postgres.js'

/** Whether `db` is the pool's handle rather than a unit's: VACUUM cannot run inside a transaction. */
function outsideTransactions (db: PostgresHandle): boolean {
  return (db as { $client?: unknown }).$client instanceof pg.Pool
}

/** When a kept row gives way to a new claim: expired, or claimed by work that never committed and went quiet. */
function takeable (staleBefore: string, expiredBefore: string): SQL {
  return or(lt(idempotencyKeys.createdAt, expiredBefore), and(eq(idempotencyKeys.status, claimedStatus), lt(idempotencyKeys.createdAt, staleBefore)))!
}

export function postgresIdempotencyQueries (db: PostgresHandle): IdempotencyQueries {
  return {
    async storedAnswer (scope, key) {
      const [row] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
      return row
    },

    async claim ({ scope, key, requestDigest, claimedAt }, staleBefore, expiredBefore) {
      const fresh = { scope, key, requestDigest, status: claimedStatus, headers: '{}', body: '', createdAt: claimedAt }
      const taken = await db.insert(idempotencyKeys).values(fresh)
        .onConflictDoUpdate({ target: [idempotencyKeys.scope, idempotencyKeys.key], set: { requestDigest, status: claimedStatus, headers: '{}', body: '', createdAt: claimedAt }, setWhere: takeable(staleBefore, expiredBefore) })
        .returning({ key: idempotencyKeys.key })
      return taken.length === 1
    },

    async renewClaims (claims, at) {
      for (const { scope, key } of claims) {
        await db.update(idempotencyKeys).set({ createdAt: at })
          .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), lte(idempotencyKeys.status, committedStatus)))
      }
    },

    async markCommitted (scope, key) {
      await db.update(idempotencyKeys).set({ status: committedStatus })
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), eq(idempotencyKeys.status, claimedStatus)))
    },

    async releaseClaim (scope, key) {
      await db.delete(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), eq(idempotencyKeys.status, claimedStatus)))
    },

    async keepAnswer (answer) {
      const { requestDigest, status, headers, body, createdAt } = answer
      await db.insert(idempotencyKeys).values(answer)
        .onConflictDoUpdate({ target: [idempotencyKeys.scope, idempotencyKeys.key], set: { requestDigest, status, headers, body, createdAt } })
    },

    async purgeExpired (before) {
      await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before))
    },

    // An update leaves the old row version in the table's pages until they are reused;
    // VACUUM FULL writes the table anew, so the files no longer hold the secrets (the
    // write-ahead log keeps them until its segments are recycled, as SQLite's WAL does until
    // its checkpoint). ILIKE: SQLite's LIKE, which the SQLite twin uses, ignores ASCII case.
    async forgetStoredSecrets () {
      const blanked = await db.update(idempotencyKeys).set({ body: '' })
        .where(ilike(idempotencyKeys.body, '%"secret":"dl_%'))
        .returning({ key: idempotencyKeys.key })
      if (blanked.length > 0 && outsideTransactions(db)) await db.execute(sql`vacuum full ${idempotencyKeys}`)
    }
  }
}
