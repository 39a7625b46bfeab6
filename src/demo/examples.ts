import { deriveExcerpt, renderMarkdown } from '../lib/html.js'
import { encodeCursor, type CursorValue, type SortKey } from '../lib/list.js'
import { slugify } from '../lib/slug.js'
import { fileStem, widthsFor } from '../resources/media/images.js'
import { demoArticles, demoAuthors, demoComments, demoCorrections, demoDayNotes, demoPages } from './content.js'
import { demoImageFacts } from './images.js'

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

// Whole answers, as the demo-seeded API gives them (times aside: the seed dates its rows when it runs).

const { article: a, author: au } = demoExample
const summaryOf = demoArticles.filter((candidate) => candidate.status === 'published')
const newestFirst = [...summaryOf].sort((x, y) => y.publishedAt!.localeCompare(x.publishedAt!))

/** The key in the examples' image URLs: each install draws its own at random. */
const exampleMediaKey = '4f9c2d7e1a0b3c5d6e7f'

/**
 * The demo article's image as articles embed it. The seed makes one per article, before the
 * article, so its id is the article's. Its placeholder and colour are what sharp made of it.
 */
function demoFeaturedImage (index: number) {
  const facts = demoImageFacts(index)
  const widths = widthsFor(facts.width)
  const file = (width: number, extension: string) => `/media/${exampleMediaKey}/${fileStem(facts.fileName)}-${width}w.${extension}`
  const srcset = (extension: string) => widths.map((width) => `${file(width, extension)} ${width}w`).join(', ')
  return {
    id: index + 1,
    url: file(widths.at(-1)!, 'jpg'),
    width: facts.width,
    height: facts.height,
    alt: facts.alt,
    caption: '',
    credit: facts.credit,
    srcset: srcset('jpg'),
    sources: [{ type: 'image/avif', srcset: srcset('avif') }, { type: 'image/webp', srcset: srcset('webp') }],
    placeholder: 'data:image/webp;base64,UklGRkAAAABXRUJQVlA4IDQAAADQAQCdASoQAAoAAUAmJaQAAudAVRAA/vuUAAA=',
    dominantColor: '#88a8c8',
    focalPoint: { x: 0.5, y: 0.5 }
  }
}

// The demo's correction of the footbridge article (ids follow content.ts's order).
const demoCorrection = demoCorrections.find((candidate) => candidate.article === articleIndex)!
const correctedAt = later(a.publishedAt, demoCorrection.minutesAfter)
const correction = {
  id: demoCorrections.indexOf(demoCorrection) + 1,
  articleId: a.id,
  note: demoCorrection.note,
  correctedAt,
  createdAt: correctedAt,
  updatedAt: correctedAt
}
const embeddedCorrection = { id: correction.id, note: correction.note, correctedAt }

/** What an article or a page answers when none of its search and social metadata is set. */
export const noSeoExample = { title: null, description: null, canonicalUrl: null, noindex: false, socialTitle: null, socialDescription: null, socialImage: null }

export const articleExample = {
  id: a.id,
  slug: a.slug,
  title: a.title,
  excerpt: article.excerpt ?? deriveExcerpt(renderMarkdown(article.markdown)),
  body: renderMarkdown(article.markdown),
  status: 'published' as const,
  publishedAt: a.publishedAt,
  date: a.date,
  unpublishAt: null,
  authorId: au.id,
  authorIds: [au.id],
  labels: a.labels,
  commentCount: a.commentCount,
  featuredImage: demoFeaturedImage(articleIndex),
  createdAt: a.publishedAt,
  updatedAt: a.publishedAt,
  correctedAt,
  corrections: [embeddedCorrection],
  seo: { ...noSeoExample, title: article.seo?.title ?? null, description: article.seo?.description ?? null }
}

export const authorExample = {
  id: au.id,
  slug: au.slug,
  name: au.name,
  bio: au.bio,
  avatarUrl: null,
  url: au.url,
  articleCount: au.articleCount,
  createdAt: demoExample.joinedAt,
  updatedAt: demoExample.joinedAt
}

const { body: _body, corrections: _corrections, seo: _seo, ...articleSummary } = articleExample
export const articleSummaryExample = { ...articleSummary, author: authorExample }

/** A list's `meta` for a page of one item at `offset` in `total`, with the cursor that follows it (null on the last). */
export function pageMeta (total: number, offset: number, limit: number, cursor: { sort: SortKey[], values: CursorValue[] }) {
  return { total, limit, offset, nextCursor: offset + limit < total ? encodeCursor(cursor.sort, cursor.values) : null }
}

export const articleListExample = {
  data: [articleExample],
  meta: pageMeta(newestFirst.length, newestFirst.indexOf(article), 1, { sort: [{ field: 'publishedAt', descending: true }], values: [a.publishedAt, a.id] })
}

const byName = [...demoAuthors].sort((x, y) => x.name.localeCompare(y.name))
export const authorListExample = {
  data: [authorExample],
  meta: pageMeta(demoAuthors.length, byName.indexOf(author), 1, { sort: [{ field: 'name', descending: false }], values: [au.name, au.id] })
}

export const commentExample = {
  id: demoExample.comment.id,
  articleId: a.id,
  parentId: null,
  authorName: demoExample.comment.authorName,
  authorUrl: null,
  body: demoExample.comment.body,
  status: 'approved' as const,
  createdAt: demoExample.comment.createdAt,
  updatedAt: demoExample.comment.createdAt
}

const replyExample = {
  ...commentExample,
  id: demoExample.reply.id,
  parentId: commentExample.id,
  authorName: demoExample.reply.authorName,
  body: demoExample.reply.body,
  createdAt: demoExample.reply.createdAt,
  updatedAt: demoExample.reply.createdAt
}

export const commentListExample = {
  data: [commentExample],
  meta: pageMeta(a.commentCount, 0, 1, { sort: [{ field: 'createdAt', descending: false }], values: [commentExample.createdAt, commentExample.id] })
}

export const commentThreadExample = { ...commentExample, replies: [{ ...replyExample, replies: [] }] }

const topLevelApproved = demoComments.filter((candidate) => candidate.article === articleIndex && candidate.status === 'approved' && candidate.replyTo === undefined).length
export const commentThreadListExample = {
  data: [commentThreadExample],
  meta: pageMeta(topLevelApproved, 0, 1, { sort: [{ field: 'createdAt', descending: false }], values: [commentExample.createdAt, commentExample.id] })
}

const days = [...new Set(newestFirst.map((candidate) => candidate.publishedAt!.slice(0, 10)))]
export const dayExample = {
  date: a.date,
  label: new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${a.date}T12:00:00Z`)),
  note: a.dayNote,
  articleCount: a.dayArticleCount
}

export const dayListExample = {
  data: [dayExample],
  meta: pageMeta(days.length, days.indexOf(a.date), 1, { sort: [{ field: 'date', descending: true }], values: [a.date, a.date] })
}

// Label ids are numbered as the seed first uses each label, and written out here;
// test/openapi-examples.test.ts compares them with the seed's.
const labelIds: Record<string, number> = { Weather: 1, 'Local news': 2, 'City council': 3, Transport: 4, Culture: 5, Business: 6, Sport: 7 }
const labels = Object.entries(labelIds)
  .map(([name, id]) => ({ id, slug: slugify(name, 'label'), name, description: '', parentId: null, articleCount: summaryOf.filter((candidate) => candidate.labels.includes(name)).length }))
  .sort((x, y) => x.name.localeCompare(y.name))
export const labelListExample = { data: labels, meta: { total: labels.length, limit: 20, offset: 0, nextCursor: null } }

const trashedAt = later(a.publishedAt, 3 * 24 * 60)
const trashedSummary = {
  id: a.id,
  slug: a.slug,
  title: a.title,
  status: 'published' as const,
  publishedAt: a.publishedAt,
  authorId: au.id,
  labels: a.labels,
  commentCount: a.commentCount,
  version: 1,
  trashedAt,
  trashedBy: 'admin',
  purgeAt: later(trashedAt, 30 * 24 * 60)
}
export const trashExamples = {
  summary: trashedSummary,
  article: { ...trashedSummary, excerpt: null, body: articleExample.body },
  list: { data: [trashedSummary], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } },
  restored: { ...articleExample, renumberedComments: [] }
}

const revisionSummary = {
  number: 1,
  version: 1,
  title: a.title,
  status: 'published' as const,
  publishedAt: a.publishedAt,
  authorId: au.id,
  authorIds: [au.id],
  writtenAt: a.publishedAt,
  replacedAt: later(a.publishedAt, 45),
  replacedBy: 'editor token 1'
}
export const revisionExamples = {
  summary: revisionSummary,
  revision: { ...revisionSummary, unpublishAt: null, excerpt: null, labels: a.labels, seo: { ...articleExample.seo, socialImage: null }, body: articleExample.body },
  list: { data: [revisionSummary], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }
}

const correctionLogEntry = { ...correction, article: { id: a.id, slug: a.slug, title: a.title } }
export const correctionExamples = {
  correction,
  embedded: embeddedCorrection,
  list: { data: [correction], meta: { total: 1, limit: 50, offset: 0, nextCursor: null } },
  logEntry: correctionLogEntry,
  log: { data: [correctionLogEntry], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } },
  new: { note: correction.note },
  atom: `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  <id>https://blog.example.org/corrections.atom</id>\n  <title>Dateline: corrections</title>\n  <link rel="self" href="https://blog.example.org/corrections.atom"/>\n  <entry>\n    <title type="html"><![CDATA[Correction: ${a.title}]]></title>\n    <id>tag:blog.example.org,${correction.createdAt.slice(0, 10)}:correction-${correction.id}</id>\n    <link href="https://blog.example.org/articles/${a.slug}"/>\n    <updated>${correction.updatedAt}</updated>\n    <content type="html"><![CDATA[${correction.note.replace(/'/g, '&#39;')}]]></content>\n    <published>${correction.correctedAt}</published>\n  </entry>\n</feed>\n`
}

/**
 * The feeds of a site whose front end is at https://blog.example.org/ (`DATELINE_SITE_URL`)
 * and whose API, which serves the images, is at https://api.example.org.
 */
const site = 'https://blog.example.org/'
const feedImage = 'https://api.example.org/media/4f9c2d7e1a0b3c5d6e7f/footbridge-1600w.jpg'
const feedItem = {
  id: `tag:blog.example.org,${a.date}:article-${a.id}`,
  url: `${site}articles/${a.slug}`,
  title: a.title,
  content_html: articleExample.body,
  summary: articleExample.excerpt,
  date_published: a.publishedAt,
  date_modified: a.publishedAt,
  authors: [{ name: au.name, ...(au.url === null ? {} : { url: au.url }) }],
  tags: a.labels,
  image: feedImage
}
const mediaContent = `<media:content url="${feedImage}" type="image/jpeg" medium="image" width="1600" height="1067" fileSize="183512"><media:description type="plain">The new footbridge seen from the quay</media:description></media:content>`
export const feedExamples = {
  json: { version: 'https://jsonfeed.org/version/1.1' as const, title: 'Dateline', home_page_url: site, feed_url: `${site}feed.json`, language: 'en-US', items: [feedItem] },
  atom: `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">\n  <title>Dateline</title>\n  <link rel="self" href="${site}feed.atom"/>\n  <entry>\n    <id>${feedItem.id}</id>\n    <title type="html">${a.title}</title>\n    <link href="${feedItem.url}"/>\n    <published>${a.publishedAt}</published>\n    <author><name>${au.name}</name></author>\n    <link rel="enclosure" type="image/jpeg" length="183512" href="${feedImage}"/>${mediaContent}\n  </entry>\n</feed>\n`,
  rss: `<?xml version="1.0" encoding="utf-8"?>\n<rss xmlns:media="http://search.yahoo.com/mrss/" version="2.0">\n  <channel>\n    <title>Dateline</title>\n    <link>${site}</link>\n    <item>\n      <title>${a.title}</title>\n      <link>${feedItem.url}</link>\n      <guid isPermaLink="false">${feedItem.id}</guid>\n      <pubDate>${new Date(a.publishedAt).toUTCString()}</pubDate>\n      <enclosure url="${feedImage}" length="183512" type="image/jpeg"/>${mediaContent}\n    </item>\n  </channel>\n</rss>\n`,
  sitemap: `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n  <url><loc>${feedItem.url}</loc><lastmod>${a.publishedAt}</lastmod><image:image><image:loc>https://api.example.org/media/4f9c2d7e1a0b3c5d6e7f/footbridge-2048w.jpg</image:loc></image:image></url>\n</urlset>\n`
}

// A mirror following the log: the demo article edited after it was published, then taken down.
export const changeListExample = {
  data: [
    { position: 41, at: later(a.publishedAt, 45), resource: 'article' as const, id: String(a.id), slug: a.slug, kind: 'updated' as const, fields: ['title', 'body'], articleId: a.id },
    { position: 42, at: later(a.publishedAt, 90), resource: 'article' as const, id: String(a.id), slug: a.slug, kind: 'removed' as const, fields: [], articleId: a.id }
  ],
  meta: { since: 40, nextSince: 42, head: 42, limit: 100 }
}

// An import script's batch: a new draft, the demo comment approved, the demo article's day
// noted. The new article's id is the one the demo blog gives next.
const newArticleId = demoArticles.length + 1
const batchedDraft = { title: 'Footbridge: what the council decided', markdown: 'The vote is on *Thursday*.', authorId: au.id, labels: ['City council'] }
const batchedNote = 'Council meeting tonight: live coverage from 7 p.m.'
const batchedResults = [
  {
    status: 201,
    location: `/v1/articles/${newArticleId}`,
    etag: `"article-${newArticleId}-v1.c2VdU3yRkbxXwXOIy1Q8YQ"`,
    body: {
      id: newArticleId,
      slug: slugify(batchedDraft.title, 'article'),
      title: batchedDraft.title,
      excerpt: 'The vote is on Thursday.',
      body: renderMarkdown(batchedDraft.markdown),
      status: 'draft' as const,
      publishedAt: null,
      date: null,
      unpublishAt: null,
      authorId: au.id,
      authorIds: [au.id],
      labels: batchedDraft.labels,
      commentCount: 0,
      featuredImage: null,
      createdAt: later(a.publishedAt, 60),
      updatedAt: later(a.publishedAt, 60),
      correctedAt: null,
      corrections: [],
      seo: noSeoExample
    }
  },
  { status: 200, etag: `"comment-${commentExample.id}-v2.Pl0kTxbV1lVn3tbSbpHq8g"`, body: { ...commentExample, updatedAt: later(a.publishedAt, 60) } },
  { status: 200, etag: `"day-${a.date}-v2.W8bkwqg8ZL3oeVb9TdkTUA"`, body: { ...dayExample, note: batchedNote } }
]
const staleComment = `The resource has changed since that ETag (it is now comment-${commentExample.id}-v2); read it again and retry`
export const batchExamples = {
  request: {
    operations: [
      { method: 'POST' as const, path: '/v1/articles', body: batchedDraft },
      { method: 'PATCH' as const, path: `/v1/comments/${commentExample.id}`, body: { status: 'approved' }, ifMatch: `"comment-${commentExample.id}-v1"` },
      { method: 'PATCH' as const, path: `/v1/dates/${a.date}`, body: { note: batchedNote } }
    ]
  },
  results: { results: batchedResults },
  // The same batch sent when another moderator had changed the comment since it was read.
  failure: {
    type: 'https://dateline.dev/problems/batch-failed',
    title: 'An operation of the batch failed; nothing was written',
    status: 422,
    detail: `Nothing was written: operation 1 (PATCH /v1/comments/${commentExample.id}) answered 412: ${staleComment}`,
    instance: '/v1/batch',
    failedOperation: 1,
    results: [
      batchedResults[0]!,
      {
        status: 412,
        problem: {
          type: 'https://dateline.dev/problems/precondition-failed',
          title: 'The resource has changed',
          status: 412,
          detail: staleComment,
          instance: `/v1/comments/${commentExample.id}`
        }
      }
    ]
  }
}

// A page of the demo (content.ts, `demoPages`, created in that order): the masthead, under About.
const mastheadIndex = demoPages.findIndex((page) => page.slug === 'masthead')
const masthead = demoPages[mastheadIndex]!
const mastheadSnapshot = {
  title: masthead.title,
  slug: masthead.slug,
  status: 'published' as const,
  parentId: demoPages.findIndex((page) => page.slug === masthead.parent) + 1,
  position: masthead.position,
  excerpt: null,
  seo: noSeoExample,
  body: renderMarkdown(masthead.markdown)
}
const pageRevisionSummary = {
  number: 1,
  version: 1,
  writtenAt: publishedAt,
  replacedAt: later(publishedAt, 45),
  replacedBy: 'editor token 1',
  title: masthead.title,
  slug: masthead.slug,
  status: 'published' as const
}
export const pageRevisionExamples = {
  summary: pageRevisionSummary,
  revision: { ...pageRevisionSummary, ...mastheadSnapshot },
  list: { data: [pageRevisionSummary], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }
}

const pageTrashed = {
  id: mastheadIndex + 1,
  version: 1,
  trashedAt,
  trashedBy: 'admin',
  purgeAt: later(trashedAt, 30 * 24 * 60)
}
const trashedPageSummary = { ...pageTrashed, slug: masthead.slug, title: masthead.title, status: 'published' as const, parentId: mastheadSnapshot.parentId }
export const pageTrashExamples = {
  summary: trashedPageSummary,
  page: { ...pageTrashed, ...mastheadSnapshot },
  list: { data: [trashedPageSummary], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }
}
