import { and, asc, count, desc, eq, isNull, lte, sql, type SQL } from 'drizzle-orm'
import { assertCursorFits } from '../../db/postgres-cursor.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { isAnyId } from '../../db/postgres-sql.js'
import { articles, comments } from '../../db/schema.postgres.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import type { CommentQueries, CommentRow, CommentSortField, ModerationFilters } from './queries.js'

const oldestFirst: KeysetColumn[] = [
  { column: comments.createdAt, descending: false },
  { column: comments.id, descending: false }
]

function approvedOf (articleId: number, topLevelOnly: boolean): SQL {
  return and(eq(comments.articleId, articleId), eq(comments.status, 'approved'), topLevelOnly ? isNull(comments.parentId) : undefined)!
}

/** Ids from raw SQL: bigint columns come back from node-postgres as strings. */
function idsOf (rows: Array<{ id: string | number }>): number[] {
  return rows.map((row) => Number(row.id))
}

async function approvedRepliesBelow (db: PostgresHandle, rootIds: number[]): Promise<CommentRow[]> {
  if (rootIds.length === 0) return []
  const { rows } = await db.execute<{ id: string }>(sql`
    with recursive thread(id) as (
      select ${comments.id} from ${comments} where ${isAnyId(comments.parentId, rootIds)} and ${comments.status} = 'approved'
      union all
      select c.id from thread join ${comments} c on c.parent_id = thread.id where c.status = 'approved'
    )
    select id from thread`)
  if (rows.length === 0) return []
  return await db.select().from(comments)
    .where(isAnyId(comments.id, idsOf(rows)))
    .orderBy(asc(comments.createdAt), asc(comments.id))
}

// Far beyond any cap, so only a cycle an import made can reach it: the walk then ends.
const longestWalk = 100_000

async function chainTo (db: PostgresHandle, id: number): Promise<number[]> {
  const { rows } = await db.execute<{ id: string }>(sql`
    with recursive up(id, parent_id, distance) as (
      select ${comments.id}, ${comments.parentId}, 0 from ${comments} where ${comments.id} = ${id}
      union all
      select c.id, c.parent_id, up.distance + 1 from up join ${comments} c on c.id = up.parent_id where up.distance < ${longestWalk}
    )
    select id from up order by distance desc`)
  return idsOf(rows)
}

async function firstApprovedByArticle (db: PostgresHandle, articleIds: number[], perArticle: number): Promise<CommentRow[]> {
  if (articleIds.length === 0) return []
  const ranked = db.select({
    id: comments.id,
    rank: sql<number>`row_number() over (partition by ${comments.articleId} order by ${comments.createdAt}, ${comments.id})`.as('rank')
  })
    .from(comments)
    .where(and(isAnyId(comments.articleId, articleIds), eq(comments.status, 'approved')))
    .as('ranked')
  const rows = await db.select({ comment: comments })
    .from(ranked)
    .innerJoin(comments, eq(comments.id, ranked.id))
    .where(lte(ranked.rank, perArticle))
    .orderBy(asc(comments.createdAt), asc(comments.id))
  return rows.map((row) => row.comment)
}

function moderationCondition (filters: ModerationFilters): SQL | undefined {
  return and(
    filters.status === undefined ? undefined : eq(comments.status, filters.status),
    filters.articleId === undefined ? undefined : eq(comments.articleId, filters.articleId),
    filters.onArticlesOf === undefined
      ? undefined
      : sql`${comments.articleId} in (select ${articles.id} from ${articles} where ${articles.authorId} = ${filters.onArticlesOf})`
  )
}

function sortColumns (sort: SortKey<CommentSortField>[]): KeysetColumn[] {
  const columns: KeysetColumn[] = sort.map((key) => ({ column: comments[key.field], descending: key.descending }))
  columns.push({ column: comments.id, descending: sort[0]?.descending ?? false })
  return columns
}

/** The comments after a client's cursor, once its values are known to fit their columns (every sort is by a time). */
function afterCursor (columns: KeysetColumn[], after: CursorValue[]): SQL | undefined {
  assertCursorFits(after, [...columns.slice(1).map(() => 'timestamp' as const), 'integer'])
  return keysetAfter(columns, after)
}

/**
 * Sets the count from the approved comments, the article row locked first. In READ COMMITTED
 * a statement counts what was committed when it began: a count taken while another unit
 * holds the row (approving a comment of the same article) would miss that unit's comment once
 * it commits. Counted after the lock is granted, the statement sees it.
 *
 * `no key update`, the lock the UPDATE takes anyway: a unit that has just inserted a comment
 * holds a key-share lock on its article (the foreign key's check), which FOR UPDATE would
 * have to wait for, so two units posting on one article deadlocked, each waiting for the other.
 */
async function recountApproved (db: PostgresHandle, articleId: number): Promise<void> {
  await db.select({ id: articles.id }).from(articles).where(eq(articles.id, articleId)).for('no key update')
  await db.update(articles)
    .set({ commentCount: sql`(select count(*) from ${comments} where ${comments.articleId} = ${articleId} and ${comments.status} = 'approved')` })
    .where(eq(articles.id, articleId))
}

export function postgresCommentQueries (db: PostgresHandle): CommentQueries {
  return {
    async commentById (id) {
      return (await db.select().from(comments).where(eq(comments.id, id)))[0]
    },

    async commentByIdForUpdate (id) {
      return (await db.select().from(comments).where(eq(comments.id, id)).for('update'))[0]
    },

    async insertComment (row) {
      return (await db.insert(comments).values(row).returning())[0]!
    },

    async updateComment (id, values) {
      const rows = await db.update(comments)
        .set({ ...values, version: sql`${comments.version} + 1` })
        .where(eq(comments.id, id))
        .returning()
      return rows[0]!
    },

    async deleteComment (comment) {
      await db.update(comments).set({ parentId: comment.parentId }).where(eq(comments.parentId, comment.id))
      await db.delete(comments).where(eq(comments.id, comment.id))
    },

    async recountApproved (articleId) {
      await recountApproved(db, articleId)
    },

    async countApproved (articleId, topLevelOnly, after) {
      const where = and(approvedOf(articleId, topLevelOnly), after === undefined ? undefined : afterCursor(oldestFirst, after))
      return (await db.select({ total: count() }).from(comments).where(where))[0]?.total ?? 0
    },

    async pageOfApproved (articleId, topLevelOnly, after, limit, offset) {
      return await db.select().from(comments)
        .where(and(approvedOf(articleId, topLevelOnly), after === null ? undefined : afterCursor(oldestFirst, after)))
        .orderBy(asc(comments.createdAt), asc(comments.id))
        .limit(limit)
        .offset(offset)
    },

    async approvedRepliesBelow (rootIds) {
      return await approvedRepliesBelow(db, rootIds)
    },

    async chainTo (id) {
      return await chainTo(db, id)
    },

    async firstApprovedByArticle (articleIds, perArticle) {
      return await firstApprovedByArticle(db, articleIds, perArticle)
    },

    async countForModeration (filters, sort, after) {
      const keyset = sort !== undefined && after !== undefined ? afterCursor(sortColumns(sort), after) : undefined
      return (await db.select({ total: count() }).from(comments).where(and(moderationCondition(filters), keyset)))[0]?.total ?? 0
    },

    async pageForModeration ({ filters, sort, after, limit, offset }) {
      const columns = sortColumns(sort)
      return await db.select().from(comments)
        .where(and(moderationCondition(filters), after === null ? undefined : afterCursor(columns, after)))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset)
    },

    async setParent (id, parentId) {
      await db.update(comments).set({ parentId }).where(eq(comments.id, id))
    }
  }
}
