import { and, asc, eq, gt, inArray, lt, lte, max, or, sql } from 'drizzle-orm'
import { bylineHas } from '../resources/articles/visibility.js'
import type { ChangeLogQueries, LoggedChange } from './change-log.js'
import type { PostgresHandle } from './postgres-store.js'
import { changes, writeStamp } from './schema.postgres.js'

export function postgresChangeLogQueries (db: PostgresHandle): ChangeLogQueries {
  return {
    async append (noted) {
      // The write stamp's row stays locked until the commit, and every writing unit takes it
      // last: positions are handed out in the order the units commit.
      const [taken] = await db.update(writeStamp)
        .set({ changePosition: sql`${writeStamp.changePosition} + ${noted.length}` })
        .where(eq(writeStamp.id, 1))
        .returning({ last: writeStamp.changePosition })
      const first = taken!.last - noted.length + 1
      await db.insert(changes).values(noted.map((change, i) => ({ ...change, position: first + i, fields: JSON.stringify(change.fields) })))
    },

    async entries (filter) {
      const visible = filter.publicOnly
        ? or(eq(changes.publicBefore, true), eq(changes.publicAfter, true), filter.alsoAuthorId === null ? undefined : bylineHas({ id: changes.articleId, authorId: changes.authorId }, filter.alsoAuthorId))
        : undefined
      const rows = await db.select().from(changes)
        .where(and(gt(changes.position, filter.since), lte(changes.position, filter.through), visible,
          filter.resources === undefined ? undefined : inArray(changes.resource, filter.resources)))
        .orderBy(asc(changes.position))
        .limit(filter.limit)
      return rows.map((row): LoggedChange => ({ ...row, fields: JSON.parse(row.fields) as string[] }))
    },

    async head () {
      const [row] = await db.select({ head: writeStamp.changePosition }).from(writeStamp).where(eq(writeStamp.id, 1))
      return row?.head ?? 0
    },

    async prune (before) {
      const [row] = await db.select({ last: max(changes.position) }).from(changes).where(lt(changes.at, before))
      const last = row?.last ?? null
      if (last !== null) await db.delete(changes).where(lte(changes.position, last))
      return last
    }
  }
}
