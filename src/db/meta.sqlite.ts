import { eq } from 'drizzle-orm'
import type { Db } from './client.js'
import type { MetaQueries } from './meta.js'
import { meta } from './schema.js'

export function sqliteMetaQueries (db: Db): MetaQueries {
  return {
    async read (key) {
      return db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value
    },
    async write (key, value) {
      db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run()
    },
    async remove (key) {
      db.delete(meta).where(eq(meta.key, key)).run()
    },
    async stampScope (candidate) {
      return candidate
    }
  }
}
