import { eq } from 'drizzle-orm'
import type { DbOrTx } from './client.js'
import { meta } from './schema.js'

export function readMeta (db: DbOrTx, key: string): string | undefined {
  return db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get()?.value
}

export function writeMeta (db: DbOrTx, key: string, value: string): void {
  db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run()
}
