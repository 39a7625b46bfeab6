import { asc, count, gt } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client.js'
import { articles, authors, comments, days, labels } from '../../db/schema.js'

// Pages in id order: an export reads the database a page at a time so other requests run
// in between (better-sqlite3 cannot interleave them with an open iterator on the connection).

export function tableCounts (db: DbOrTx): Record<'authors' | 'labels' | 'articles' | 'days' | 'comments', number> {
  const total = (table: typeof authors | typeof labels | typeof articles | typeof days | typeof comments): number =>
    db.select({ total: count() }).from(table).get()?.total ?? 0
  return { authors: total(authors), labels: total(labels), articles: total(articles), days: total(days), comments: total(comments) }
}

export function authorsAfter (db: DbOrTx, afterId: number, limit: number): Array<typeof authors.$inferSelect> {
  return db.select().from(authors).where(gt(authors.id, afterId)).orderBy(asc(authors.id)).limit(limit).all()
}

export function labelNamesAfter (db: DbOrTx, afterId: number, limit: number): Array<{ id: number, name: string }> {
  return db.select({ id: labels.id, name: labels.name }).from(labels).where(gt(labels.id, afterId)).orderBy(asc(labels.id)).limit(limit).all()
}

export function articlesAfter (db: DbOrTx, afterId: number, limit: number): Array<typeof articles.$inferSelect> {
  return db.select().from(articles).where(gt(articles.id, afterId)).orderBy(asc(articles.id)).limit(limit).all()
}

export function daysAfter (db: DbOrTx, afterDay: string, limit: number): Array<typeof days.$inferSelect> {
  return db.select().from(days).where(gt(days.day, afterDay)).orderBy(asc(days.day)).limit(limit).all()
}

export function commentsAfter (db: DbOrTx, afterId: number, limit: number): Array<typeof comments.$inferSelect> {
  return db.select().from(comments).where(gt(comments.id, afterId)).orderBy(asc(comments.id)).limit(limit).all()
}
