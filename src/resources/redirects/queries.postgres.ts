import { asc, count, eq, gt } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { redirects } from '../../db/schema.postgres.js'
import type { RedirectQueries } from './queries.js'

export function postgresRedirectQueries (db: PostgresHandle): RedirectQueries {
  return {
    async insertRedirect (row) {
      const [inserted] = await db.insert(redirects).values(row).returning()
      return inserted!
    },

    async redirectById (id) {
      const [row] = await db.select().from(redirects).where(eq(redirects.id, id))
      return row
    },

    async redirectByIdForUpdate (id) {
      const [row] = await db.select().from(redirects).where(eq(redirects.id, id)).for('update')
      return row
    },

    async redirectFrom (path) {
      const [row] = await db.select().from(redirects).where(eq(redirects.fromPath, path))
      return row
    },

    async updateRedirect (id, values) {
      const [row] = await db.update(redirects).set(values).where(eq(redirects.id, id)).returning()
      return row!
    },

    async deleteRedirect (id) {
      await db.delete(redirects).where(eq(redirects.id, id))
    },

    async countRedirects (afterId) {
      const [row] = await db.select({ total: count() }).from(redirects).where(afterId === undefined ? undefined : gt(redirects.id, afterId))
      return row?.total ?? 0
    },

    async pageOfRedirects (afterId, limit, offset) {
      return await db.select().from(redirects)
        .where(afterId === null ? undefined : gt(redirects.id, afterId))
        .orderBy(asc(redirects.id)).limit(limit).offset(offset)
    }
  }
}
