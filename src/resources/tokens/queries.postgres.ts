import { and, asc, count, eq, gt, isNull } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { tokens } from '../../db/schema.postgres.js'
import type { TokenQueries } from './queries.js'

export function postgresTokenQueries (db: PostgresHandle): TokenQueries {
  return {
    async insertToken (row) {
      const [inserted] = await db.insert(tokens).values(row).returning()
      return inserted!
    },

    async activeTokenBySecretHash (secretHash) {
      const [row] = await db.select().from(tokens).where(and(eq(tokens.secretHash, secretHash), isNull(tokens.revokedAt)))
      return row
    },

    async allTokens () {
      return await db.select().from(tokens).orderBy(asc(tokens.id))
    },

    async tokenById (id) {
      const [row] = await db.select().from(tokens).where(eq(tokens.id, id))
      return row
    },

    async markTokenUsed (id, at) {
      await db.update(tokens).set({ lastUsedAt: at }).where(eq(tokens.id, id))
    },

    // One conditional statement: of two revokes at once, the row lock lets exactly one through.
    async revokeToken (id, at) {
      const revoked = await db.update(tokens).set({ revokedAt: at })
        .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)))
        .returning({ id: tokens.id })
      return revoked.length > 0
    },

    async countTokens (afterId) {
      const [row] = await db.select({ total: count() }).from(tokens).where(afterId === undefined ? undefined : gt(tokens.id, afterId))
      return row?.total ?? 0
    },

    async pageOfTokens (afterId, limit, offset) {
      return await db.select().from(tokens)
        .where(afterId === null ? undefined : gt(tokens.id, afterId))
        .orderBy(asc(tokens.id))
        .limit(limit)
        .offset(offset)
    }
  }
}
