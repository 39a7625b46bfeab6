import { count } from 'drizzle-orm'
import { defaultCommentDepth } from '../config.js'
import type { Db } from '../db/client.js'
import { articles, authors } from '../db/schema.js'
import * as articleService from '../resources/articles/service.js'
import * as authorService from '../resources/authors/service.js'
import * as commentService from '../resources/comments/service.js'
import * as dayService from '../resources/dates/service.js'
import type { Principal } from '../resources/tokens/service.js'
import { demoArticles, demoAuthors, demoComments, demoDayNotes } from './content.js'

const seeder: Principal = { role: 'admin', authorId: null, tokenId: null }
const week = 7 * 24 * 60 * 60 * 1000

/** Comments go in as a reader would post them, then a moderator sets their status. */
function seedComments (db: Db, articleIds: number[]): void {
  const ids: number[] = []
  for (const comment of demoComments) {
    const { comment: created } = commentService.createForArticle(db, { commentsAutoApprove: false, commentDepth: defaultCommentDepth }, String(articleIds[comment.article]), {
      authorName: comment.authorName,
      body: comment.body,
      ...(comment.authorEmail === undefined ? {} : { authorEmail: comment.authorEmail }),
      ...(comment.replyTo === undefined ? {} : { parentId: ids[comment.replyTo]! })
    }, null)
    ids.push(created.id)
    if (comment.status !== 'pending') commentService.updateOne(db, created.id, { status: comment.status }, seeder, undefined)
  }
}

function isEmpty (db: Db): boolean {
  const authorCount = db.select({ n: count() }).from(authors).get()?.n ?? 0
  const articleCount = db.select({ n: count() }).from(articles).get()?.n ?? 0
  return authorCount === 0 && articleCount === 0
}

/**
 * Fills an empty database with the demo blog, through the same services as the API
 * (so it is sanitised, slugged and dated like anything else). A database with any
 * content is left alone, so this is safe on every start. Returns whether it seeded.
 */
export function seedDemo (db: Db, settings: { timezone: string, locale: string }): boolean {
  return db.transaction(() => {
    if (!isEmpty(db)) return false
    const authorIds = new Map<string, number>()
    for (const author of demoAuthors) {
      const { author: created } = authorService.createOne(db, author, seeder)
      authorIds.set(author.slug, created.id)
    }
    const articles = demoArticles.map((article) => articleService.createOne(db, settings, {
        title: article.title,
        markdown: article.markdown,
        excerpt: article.excerpt ?? null,
        status: article.status,
        // The scheduled article stays a week ahead of whenever the demo is created.
        publishedAt: article.status === 'scheduled' ? new Date(Date.now() + week).toISOString() : article.publishedAt,
        authorId: authorIds.get(article.author)!,
        labels: article.labels
      }, seeder).article)
    seedComments(db, articles.map((article) => article.id))
    for (const { article, note } of demoDayNotes) {
      const day = articles[article]!.date!
      dayService.updateOne(db, settings, day, { note }, seeder, undefined)
    }
    return true
  })
}
