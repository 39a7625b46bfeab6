import { and, asc, count, desc, eq, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm'
import { columnsAs, insertOnce, statementOnce, type Db } from '../../db/client.js'
import { articles, comments } from '../../db/schema.js'
import { keysetAfter, type KeysetColumn, type SortKey } from '../../lib/list.js'
import type { CommentQueries, CommentRow, CommentSortField, ModerationFilters } from './queries.js'

const oldestFirst: KeysetColumn[] = [
  { column: comments.createdAt, descending: false },
  { column: comments.id, descending: false }
]

function approvedOf (articleId: number, topLevelOnly: boolean): SQL {
  return and(eq(comments.articleId, articleId), eq(comments.status, 'approved'), topLevelOnly ? isNull(comments.parentId) : undefined)!
}

/**
 * Every approved reply below the roots (a JSON array of ids), at any depth, in one recursive
 * query, oldest first. Prepared once, on better-sqlite3 itself: a thread page reads hundreds
 * of replies, and drizzle mapping each row cost 40 % of the page's CPU (bench/http.mjs).
 */
const approvedRepliesBelowRoots = statementOnce<CommentRow>(`
  with recursive thread(id) as (
    select id from comments where parent_id in (select value from json_each(?)) and status = 'approved'
    union all
    -- From the replies found so far to theirs, through the parent index: left to choose,
    -- SQLite walked every approved comment at each level (seconds for a 200-comment thread).
    select c.id from thread cross join comments c on c.parent_id = thread.id where c.status = 'approved'
  )
  select ${columnsAs(comments)} from comments where id in (select id from thread)
  order by created_at, id`)

function approvedRepliesBelow (db: Db, rootIds: number[]): CommentRow[] {
  return rootIds.length === 0 ? [] : approvedRepliesBelowRoots(db).all(JSON.stringify(rootIds))
}

// Far beyond any cap, so only a cycle an import made can reach it: the walk then ends.
const longestWalk = 100_000

function chainTo (db: Db, id: number): number[] {
  const rows = db.all<{ id: number }>(sql`
    with recursive up(id, parent_id, distance) as (
      select ${comments.id}, ${comments.parentId}, 0 from ${comments} where ${comments.id} = ${id}
      union all
      select c.id, c.parent_id, up.distance + 1 from up join ${comments} c on c.id = up.parent_id where up.distance < ${longestWalk}
    )
    select id from up order by distance desc`)
  return rows.map((row) => row.id)
}

function firstApprovedByArticle (db: Db, articleIds: number[], perArticle: number): CommentRow[] {
  if (articleIds.length === 0) return []
  const ranked = db.select({
    id: comments.id,
    rank: sql<number>`row_number() over (partition by ${comments.articleId} order by ${comments.createdAt}, ${comments.id})`.as('rank')
  })
    .from(comments)
    .where(and(inArray(comments.articleId, articleIds), eq(comments.status, 'approved')))
    .as('ranked')
  return db.select({ comment: comments })
    .from(ranked)
    .innerJoin(comments, eq(comments.id, ranked.id))
    .where(lte(ranked.rank, perArticle))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .all()
    .map((row) => row.comment)
}

const insertComment = insertOnce(comments)
const commentWithId = statementOnce<CommentRow>(`select ${columnsAs(comments)} from comments where id = ?`)
// Run for every article a moderation touches, and by an import for each article it gave comments.
const recountOf = statementOnce<never>(`update articles set comment_count =
  (select count(*) from comments where article_id = @id and status = 'approved') where id = @id`)

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

export function sqliteCommentQueries (db: Db): CommentQueries {
  return {
    async commentById (id) {
      return commentWithId(db).get(id)
    },

    async commentByIdForUpdate (id) {
      return commentWithId(db).get(id)
    },

    async insertComment (row) {
      return insertComment(db, row)
    },

    async updateComment (id, values) {
      // Read back rather than `returning`, which SQLite runs as a trigger with a statement
      // journal (see insertOnce in db/client.ts).
      db.update(comments)
        .set({ ...values, version: sql`${comments.version} + 1` })
        .where(eq(comments.id, id))
        .run()
      return commentWithId(db).get(id)!
    },

    async deleteComment (comment) {
      db.update(comments).set({ parentId: comment.parentId }).where(eq(comments.parentId, comment.id)).run()
      db.delete(comments).where(eq(comments.id, comment.id)).run()
    },

    async recountApproved (articleId) {
      recountOf(db).run({ id: articleId })
    },

    async countApproved (articleId, topLevelOnly, after) {
      const where = and(approvedOf(articleId, topLevelOnly), after === undefined ? undefined : keysetAfter(oldestFirst, after))
      return db.select({ total: count() }).from(comments).where(where).get()?.total ?? 0
    },

    async pageOfApproved (articleId, topLevelOnly, after, limit, offset) {
      return db.select().from(comments)
        .where(and(approvedOf(articleId, topLevelOnly), after === null ? undefined : keysetAfter(oldestFirst, after)))
        .orderBy(asc(comments.createdAt), asc(comments.id))
        .limit(limit)
        .offset(offset)
        .all()
    },

    async approvedRepliesBelow (rootIds) {
      return approvedRepliesBelow(db, rootIds)
    },

    async chainTo (id) {
      return chainTo(db, id)
    },

    async firstApprovedByArticle (articleIds, perArticle) {
      return firstApprovedByArticle(db, articleIds, perArticle)
    },

    async countForModeration (filters, sort, after) {
      const keyset = sort !== undefined && after !== undefined ? keysetAfter(sortColumns(sort), after) : undefined
      return db.select({ total: count() }).from(comments).where(and(moderationCondition(filters), keyset)).get()?.total ?? 0
    },

    async pageForModeration ({ filters, sort, after, limit, offset }) {
      const columns = sortColumns(sort)
      return db.select().from(comments)
        .where(and(moderationCondition(filters), after === null ? undefined : keysetAfter(columns, after)))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset)
        .all()
    },

    async setParent (id, parentId) {
      db.update(comments).set({ parentId }).where(eq(comments.id, id)).run()
    }
  }
}
