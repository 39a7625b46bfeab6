import { and, asc, eq, gt, inArray, lte, or, sql } from 'drizzle-orm'
import { bylineHas } from '../resources/articles/visibility.js'
import type { ChangeLogQueries, LoggedChange } from './change-log.js'
import { statementOnce, type Db } from './client.js'
import { changes } from './schema.js'

const appendChange = statementOnce<never>(`insert into changes (at, resource, resource_id, slug, kind, fields, article_id, author_id, public_before, public_after)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

export function sqliteChangeLogQueries (db: Db): ChangeLogQueries {
  return {
    async append (noted) {
      for (const change of noted) {
        appendChange(db).run(change.at, change.resource, change.resourceId, change.slug, change.kind, JSON.stringify(change.fields),
          change.articleId, change.authorId, change.publicBefore ? 1 : 0, change.publicAfter ? 1 : 0)
      }
    },

    async entries (filter) {
      const visible = filter.publicOnly
        ? or(eq(changes.publicBefore, true), eq(changes.publicAfter, true), filter.alsoAuthorId === null ? undefined : bylineHas({ id: changes.articleId, authorId: changes.authorId }, filter.alsoAuthorId))
        : undefined
      const rows = db.select().from(changes)
        .where(and(gt(changes.position, filter.since), lte(changes.position, filter.through), visible,
          filter.resources === undefined ? undefined : inArray(changes.resource, filter.resources)))
        .orderBy(asc(changes.position))
        .limit(filter.limit)
        .all()
      return rows.map((row): LoggedChange => ({ ...row, fields: JSON.parse(row.fields) as string[] }))
    },

    async head () {
      // AUTOINCREMENT's record of the last position, which pruning every entry leaves.
      return db.get<{ seq: number } | undefined>(sql`select seq from sqlite_sequence where name = 'changes'`)?.seq ?? 0
    },

    async prune (before) {
      const last = db.select({ last: sql<number | null>`max(${changes.position})` }).from(changes).where(sql`${changes.at} < ${before}`).get()?.last ?? null
      if (last !== null) db.delete(changes).where(lte(changes.position, last)).run()
      return last
    }
  }
}
