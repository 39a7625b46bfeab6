import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm'
import { insertOnce, preparedOnce, type Db } from '../../db/client.js'
import { tokens } from '../../db/schema.js'
import type { TokenQueries } from './queries.js'

// Every request with a token asks this, a guesser's included: built once, it is only run.
const insertToken = insertOnce(tokens)
const activeBySecretHash = preparedOnce((db) => db.select().from(tokens)
  .where(and(eq(tokens.secretHash, sql.placeholder('secretHash')), isNull(tokens.revokedAt)))
  .prepare())

export function sqliteTokenQueries (db: Db): TokenQueries {
  return {
    async insertToken (row) {
      return insertToken(db, row)
    },

    async activeTokenBySecretHash (secretHash) {
      return activeBySecretHash(db).get({ secretHash })
    },

    async allTokens () {
      return db.select().from(tokens).orderBy(asc(tokens.id)).all()
    },

    async tokenById (id) {
      return db.select().from(tokens).where(eq(tokens.id, id)).get()
    },

    async markTokenUsed (id, at) {
      db.update(tokens).set({ lastUsedAt: at }).where(eq(tokens.id, id)).run()
    },

    async revokeToken (id, at) {
      const result = db.update(tokens).set({ revokedAt: at })
        .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)))
        .run()
      return result.changes > 0
    },

    async countTokens (afterId) {
      return db.select({ total: count() }).from(tokens).where(afterId === undefined ? undefined : gt(tokens.id, afterId)).get()?.total ?? 0
    },

    async pageOfTokens (afterId, limit, offset) {
      return db.select().from(tokens)
        .where(afterId === null ? undefined : gt(tokens.id, afterId))
        .orderBy(asc(tokens.id))
        .limit(limit)
        .offset(offset)
        .all()
    }
  }
}
