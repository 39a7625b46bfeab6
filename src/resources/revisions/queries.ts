import { and, count, desc, eq, lte, max, sql } from 'drizzle-orm'
import { preparedOnce, type DbOrTx } from '../../db/client.js'
import { articleRevisions } from '../../db/schema.js'

export type RevisionRow = typeof articleRevisions.$inferSelect
export type NewRevisionRow = Omit<typeof articleRevisions.$inferInsert, 'number'>

// Every edit runs these: prepared once (the insert is a plain drizzle insert, its columns vary).
const lastNumber = preparedOnce((db) => db.select({ number: max(articleRevisions.number) }).from(articleRevisions)
  .where(eq(articleRevisions.articleId, sql.placeholder('articleId'))).prepare())
const pruneBefore = preparedOnce((db) => db.delete(articleRevisions)
  .where(and(eq(articleRevisions.articleId, sql.placeholder('articleId')), lte(articleRevisions.number, sql.placeholder('oldestKept'))))
  .prepare())

/** Keeps a version as the article's next revision; the oldest beyond `kept` are pruned. */
export function insertRevision (db: DbOrTx, row: NewRevisionRow, kept: number): void {
  const number = (lastNumber(db).get({ articleId: row.articleId })?.number ?? 0) + 1
  db.insert(articleRevisions).values({ ...row, number }).run()
  pruneBefore(db).run({ articleId: row.articleId, oldestKept: number - kept })
}

export function countRevisions (db: DbOrTx, articleId: number): number {
  return db.select({ total: count() }).from(articleRevisions).where(eq(articleRevisions.articleId, articleId)).get()?.total ?? 0
}

/** Newest first. */
export function pageOfRevisions (db: DbOrTx, articleId: number, limit: number, offset: number): RevisionRow[] {
  return db.select().from(articleRevisions)
    .where(eq(articleRevisions.articleId, articleId))
    .orderBy(desc(articleRevisions.number))
    .limit(limit)
    .offset(offset)
    .all()
}

export function revision (db: DbOrTx, articleId: number, number: number): RevisionRow | undefined {
  return db.select().from(articleRevisions)
    .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number)))
    .get()
}

export function labelNames (row: RevisionRow): string[] {
  const names: unknown = JSON.parse(row.labels)
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : []
}
