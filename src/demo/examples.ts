import { slugify } from '../lib/slug.js'
import { demoArticles, demoAuthors, demoComments, demoDayNotes } from './content.js'

// The OpenAPI examples name things of the demo blog, so that /docs "Try it out" on a fresh
// install finds them (test/openapi-examples.test.ts reads every path example back from a
// demo-seeded app). The seed creates authors, articles and comments in the order
// content.ts lists them, on an empty database: their ids follow that order.

const articleIndex = 1 // the footbridge study: labels, an author and a thread of approved comments
const article = demoArticles[articleIndex]!
const authorIndex = demoAuthors.findIndex((author) => author.slug === article.author)
const author = demoAuthors[authorIndex]!
const commentIndex = demoComments.findIndex((comment) => comment.article === articleIndex && comment.status === 'approved' && comment.replyTo === undefined)
const comment = demoComments[commentIndex]!
const reply = demoComments.findIndex((candidate) => candidate.replyTo === commentIndex)

/** Minutes after `iso`, as an RFC 3339 timestamp. */
function later (iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString()
}

const publishedAt = article.publishedAt!

export const demoExample = {
  article: {
    id: articleIndex + 1,
    slug: slugify(article.title, 'article'),
    title: article.title,
    publishedAt,
    // The site time zone is UTC unless set otherwise.
    date: publishedAt.slice(0, 10),
    labels: article.labels,
    /** Approved comments on it. */
    commentCount: demoComments.filter((candidate) => candidate.article === articleIndex && candidate.status === 'approved').length,
    /** Published articles on its day. */
    dayArticleCount: demoArticles.filter((candidate) => candidate.status === 'published' && candidate.publishedAt?.slice(0, 10) === publishedAt.slice(0, 10)).length,
    dayNote: demoDayNotes.find((note) => demoArticles[note.article]?.publishedAt?.slice(0, 10) === publishedAt.slice(0, 10))?.note ?? null
  },
  author: {
    id: authorIndex + 1,
    slug: author.slug,
    name: author.name,
    bio: author.bio,
    url: author.url,
    email: author.email,
    articleCount: demoArticles.filter((candidate) => candidate.author === author.slug && candidate.status === 'published').length
  },
  comment: {
    id: commentIndex + 1,
    authorName: comment.authorName,
    body: `<p>${comment.body}</p>`,
    createdAt: later(publishedAt, 95)
  },
  reply: {
    id: reply + 1,
    authorName: demoComments[reply]!.authorName,
    body: `<p>${demoComments[reply]!.body}</p>`,
    createdAt: later(publishedAt, 140)
  },
  /** When the demo's authors joined, for the examples: a day before the first article. */
  joinedAt: later(demoArticles[0]!.publishedAt!, -24 * 60),
  labelCount: new Set(demoArticles.flatMap((candidate) => candidate.labels)).size,
  publishedCount: demoArticles.filter((candidate) => candidate.status === 'published').length
}
