import { and, eq, like, lt } from 'drizzle-orm'
import type { Db } from './client.js'
import type { IdempotencyQueries } from './idempotency.js'
import { idempotencyKeys } from './schema.js'

export function sqliteIdempotencyQueries (db: Db): IdempotencyQueries {
  return {
    async storedAnswer (scope, key) {
      return db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))).get() ?? undefined
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
