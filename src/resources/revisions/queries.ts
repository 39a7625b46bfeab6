import { and, count, desc, eq, lte, max } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client.js'
import { articleRevisions } from '../../db/schema.js'

export type RevisionRow = typeof articleRevisions.$inferSelect
export type NewRevisionRow = Omit<typeof articleRevisions.$inferInsert, 'number'>

/** Keeps a version as the article's next revision; the oldest beyond `kept` are pruned. */
export function insertRevision (db: DbOrTx, row: NewRevisionRow, kept: number): void {
  const last = db.select({ number: max(articleRevisions.number) }).from(articleRevisions).where(eq(articleRevisions.articleId, row.articleId)).get()?.number ?? 0
  db.insert(articleRevisions).values({ ...row, number: last + 1 }).run()
  db.delete(articleRevisions)
    .where(and(eq(articleRevisions.articleId, row.articleId), lte(articleRevisions.number, last + 1 - kept)))
    .run()
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
