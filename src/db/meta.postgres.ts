import { eq } from 'drizzle-orm'
import type { MetaQueries } from './meta.js'
import type { PostgresHandle } from './postgres-store.js'
import { meta } from './schema.postgres.js'

/** Where the write stamps' scope is kept (meta.ts); a restore removes it: the stamps go back with the data. */
export const stampScopeKey = 'stamp-scope'

export function postgresMetaQueries (db: PostgresHandle): MetaQueries {
  return {
    async read (key) {
      return (await db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)))[0]?.value
    },
    async write (key, value) {
      await db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } })
    },
    async remove (key) {
      await db.delete(meta).where(eq(meta.key, key))
    },
    async stampScope (candidate) {
      // Instances starting together: the first insert wins and every one reads it back.
      await db.insert(meta).values({ key: stampScopeKey, value: candidate }).onConflictDoNothing({ target: meta.key })
      return (await db.select({ value: meta.value }).from(meta).where(eq(meta.key, stampScopeKey)))[0]!.value
    }
  }
}
