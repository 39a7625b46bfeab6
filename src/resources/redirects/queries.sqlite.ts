import { asc, count, eq, gt } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { redirects } from '../../db/schema.js'
import type { RedirectQueries } from './queries.js'

export function sqliteRedirectQueries (db: Db): RedirectQueries {
  const redirectById = async (id: number) => db.select().from(redirects).where(eq(redirects.id, id)).get()
  return {
    async insertRedirect (row) {
      return db.insert(redirects).values(row).returning().get()
    },

    redirectById,
    // One writer at a time: the unit's own write lock already keeps others out.
    redirectByIdForUpdate: redirectById,

    async redirectFrom (path) {
      return db.select().from(redirects).where(eq(redirects.fromPath, path)).get()
    },

    async updateRedirect (id, values) {
      return db.update(redirects).set(values).where(eq(redirects.id, id)).returning().get()!
    },

    async deleteRedirect (id) {
      db.delete(redirects).where(eq(redirects.id, id)).run()
    },

    async countRedirects (afterId) {
      return db.select({ total: count() }).from(redirects).where(afterId === undefined ? undefined : gt(redirects.id, afterId)).get()?.total ?? 0
    },

    async pageOfRedirects (afterId, limit, offset) {
      return db.select().from(redirects)
        .where(afterId === null ? undefined : gt(redirects.id, afterId))
        .orderBy(asc(redirects.id)).limit(limit).offset(offset).all()
    }
  }
}
