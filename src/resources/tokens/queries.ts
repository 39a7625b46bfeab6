import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm'
import { preparedOnce, type DbOrTx } from '../../db/client.js'
import { tokens } from '../../db/schema.js'

export type TokenRow = typeof tokens.$inferSelect
export type NewTokenRow = typeof tokens.$inferInsert

export function insertToken (db: DbOrTx, row: NewTokenRow): TokenRow {
  return db.insert(tokens).values(row).returning().get()
}

// Every request with a token asks this, a guesser's included: built once, it is only run.
const activeBySecretHash = preparedOnce((db) => db.select().from(tokens)
  .where(and(eq(tokens.secretHash, sql.placeholder('secretHash')), isNull(tokens.revokedAt)))
  .prepare())

export function activeTokenBySecretHash (db: DbOrTx, secretHash: string): TokenRow | undefined {
  return activeBySecretHash(db).get({ secretHash })
}

export function allTokens (db: DbOrTx): TokenRow[] {
  return db.select().from(tokens).orderBy(asc(tokens.id)).all()
}

export function tokenById (db: DbOrTx, id: number): TokenRow | undefined {
  return db.select().from(tokens).where(eq(tokens.id, id)).get()
}

export function markTokenUsed (db: DbOrTx, id: number, at: string): void {
  db.update(tokens).set({ lastUsedAt: at }).where(eq(tokens.id, id)).run()
}

/** Revokes the token; false when there is no such active token. */
export function revokeToken (db: DbOrTx, id: number, at: string): boolean {
  const result = db.update(tokens).set({ revokedAt: at })
    .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)))
    .run()
  return result.changes > 0
}

export function countTokens (db: DbOrTx, afterId?: number): number {
  return db.select({ total: count() }).from(tokens).where(afterId === undefined ? undefined : gt(tokens.id, afterId)).get()?.total ?? 0
}

export function pageOfTokens (db: DbOrTx, afterId: number | null, limit: number, offset: number): TokenRow[] {
  return db.select().from(tokens)
    .where(afterId === null ? undefined : gt(tokens.id, afterId))
    .orderBy(asc(tokens.id))
    .limit(limit)
    .offset(offset)
    .all()
}
