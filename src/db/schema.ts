import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core'

// Timestamps are stored as RFC 3339 UTC strings with milliseconds
// (`2015-06-25T14:03:00.000Z`): they sort correctly as text and are what the API returns.

export const authors = sqliteTable('authors', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  bio: text('bio'),
  avatarUrl: text('avatar_url'),
  url: text('url'),
  email: text('email'),
  version: integer('version').notNull().default(1),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull()
}, (table) => [
  index('authors_name_idx').on(table.name, table.id),
  index('authors_created_at_idx').on(table.createdAt, table.id)
])

export const articleStatuses = ['draft', 'scheduled', 'published'] as const
export type ArticleStatus = (typeof articleStatuses)[number]

export const articles = sqliteTable('articles', {
  // Long text last: columns are stored in this order, and lists filter on the short ones
  // without reading a body's overflow pages (migration 0007).
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  status: text('status', { enum: articleStatuses }).notNull(),
  publishedAt: text('published_at'),
  /** The `YYYY-MM-DD` day of `publishedAt` in the site time zone, kept with it. */
  publishedDay: text('published_day'),
  authorId: integer('author_id').notNull().references(() => authors.id, { onDelete: 'restrict' }),
  commentCount: integer('comment_count').notNull().default(0),
  version: integer('version').notNull().default(1),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  /**
   * When a published (or scheduled) article comes down on its own: back to a draft, as
   * lazily and exactly as scheduled articles go up (articles/view.ts). Null: it stays up.
   */
  unpublishAt: text('unpublish_at'),
  title: text('title').notNull(),
  customExcerpt: text('custom_excerpt'),
  /** The excerpt as served: `customExcerpt` when given, otherwise derived from the body. */
  excerpt: text('excerpt').notNull(),
  body: text('body').notNull()
}, (table) => [
  check('articles_status_check', sql`${table.status} in ('draft', 'scheduled', 'published')`),
  index('articles_status_published_idx').on(table.status, table.publishedAt, table.id),
  index('articles_author_idx').on(table.authorId, table.status, table.publishedAt),
  // A day's page: its published articles, newest first, from the index alone.
  index('articles_day_idx').on(table.publishedDay, table.status, table.publishedAt, table.id),
  index('articles_updated_at_idx').on(table.updatedAt, table.id),
  index('articles_title_idx').on(table.title, table.id),
  index('articles_unpublish_at_idx').on(table.unpublishAt)
])

export const labels = sqliteTable('labels', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** `name` case-folded: labels differing only in case are one label. */
  key: text('key').notNull().unique(),
  /**
   * Every write gives one; null only in a label made before slugs (migration 0016) until the
   * start-up back-fill that follows the migrations gives it one (labels/backfill.ts).
   */
  slug: text('slug').unique(),
  description: text('description').notNull().default(''),
  /** A label nests under another (WordPress categories do); at most `maxLabelDepth` deep, never in a cycle. */
  parentId: integer('parent_id').references((): AnySQLiteColumn => labels.id, { onDelete: 'set null' })
}, (table) => [
  index('labels_parent_idx').on(table.parentId)
])

/** What a page may be: a draft only editors see, or published (pages have no schedule). */
export const pageStatuses = ['draft', 'published'] as const

/**
 * Static pages (about, contact, masthead; issue 22): no date, no author, not in feeds or the
 * archive. A page nests under another (at most `maxPageDepth` deep, never in a cycle) and has
 * a place among its siblings. The long text columns are last, as in `articles` (0007).
 */
export const pages = sqliteTable('pages', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  status: text('status', { enum: pageStatuses }).notNull().default('draft'),
  parentId: integer('parent_id').references((): AnySQLiteColumn => pages.id, { onDelete: 'set null' }),
  position: integer('position').notNull().default(0),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  version: integer('version').notNull().default(1),
  /** The editor's own excerpt, or null when `excerpt` is derived from the body. */
  customExcerpt: text('custom_excerpt'),
  excerpt: text('excerpt').notNull().default(''),
  body: text('body').notNull().default('')
}, (table) => [
  check('pages_status_check', sql`${table.status} in ('draft', 'published')`),
  index('pages_parent_idx').on(table.parentId, table.position, table.title)
])

export const articleLabels = sqliteTable('article_labels', {
  articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  labelId: integer('label_id').notNull().references(() => labels.id, { onDelete: 'cascade' }),
  /** Keeps labels in the order the editor gave them. */
  position: integer('position').notNull()
}, (table) => [
  primaryKey({ columns: [table.articleId, table.labelId] }),
  index('article_labels_label_idx').on(table.labelId, table.articleId)
])

/**
 * The co-authors of an article after its primary author, in byline order (position 1 on; the
 * primary, position 0, is `articles.author_id` alone). Keeping the primary out of here means
 * every path that writes `author_id` (imports, reassigning, the trash) stays right unchanged,
 * and articles made before bylines need no back-fill. Issue 22, part 4.
 */
export const articleAuthors = sqliteTable('article_authors', {
  articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  // Deleting an author drops them from the bylines they share (authors/service.ts notes it).
  authorId: integer('author_id').notNull().references(() => authors.id, { onDelete: 'cascade' }),
  position: integer('position').notNull()
}, (table) => [
  primaryKey({ columns: [table.articleId, table.authorId] }),
  index('article_authors_author_idx').on(table.authorId, table.articleId)
])

/**
 * Slugs articles had before a rename: `GET /v1/articles/{old slug}` answers 301 to the slug
 * the article has now. A slug is an article's or here, never both: an article that takes a
 * slug (a new one, or one renamed back) takes it out of here.
 */
export const articleOldSlugs = sqliteTable('article_old_slugs', {
  slug: text('slug').primaryKey(),
  articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  /** When the article stopped answering to it. */
  replacedAt: text('replaced_at').notNull()
}, (table) => [
  index('article_old_slugs_article_idx').on(table.articleId)
])

/**
 * An article's public corrections log (issue 22, part 6): a note of what was wrong, and when it
 * was put right. A side table, so the article's row (and its long text kept last) is untouched;
 * the article's `correctedAt` is its latest correction's.
 */
export const articleCorrections = sqliteTable('article_corrections', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  /** Plain text. */
  note: text('note').notNull(),
  /** When the article was corrected: what readers are shown. */
  correctedAt: text('corrected_at').notNull(),
  version: integer('version').notNull().default(1),
  createdAt: text('created_at').notNull(),
  /** When the note was last written (a typo fixed): not shown as a correction time. */
  updatedAt: text('updated_at').notNull()
}, (table) => [
  index('article_corrections_article_idx').on(table.articleId, table.correctedAt, table.id),
  // The site-wide log and its feed, newest first.
  index('article_corrections_corrected_at_idx').on(table.correctedAt, table.id)
])

/**
 * Preview links (issue 22): a secret that reads one article, whatever its status, until it
 * expires or is revoked (the row deleted). Ended with the article: trashed, it takes them along.
 */
export const articlePreviews = sqliteTable('article_previews', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  /** SHA-256 of the secret, hex: the secret itself is never stored. */
  secretHash: text('secret_hash').notNull().unique(),
  /** Whose token made it, as revisions name it (`admin`, `editor token 3`). */
  createdBy: text('created_by').notNull(),
  createdAt: text('created_at').notNull(),
  expiresAt: text('expires_at').notNull()
}, (table) => [
  index('article_previews_article_idx').on(table.articleId),
  index('article_previews_expires_idx').on(table.expiresAt)
])

export const tokenRoles = ['admin', 'editor', 'author'] as const
export type TokenRole = (typeof tokenRoles)[number]

export const tokens = sqliteTable('tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  role: text('role', { enum: tokenRoles }).notNull(),
  authorId: integer('author_id').references(() => authors.id, { onDelete: 'cascade' }),
  /** SHA-256 of the secret, hex: the secret itself is never stored. */
  secretHash: text('secret_hash').notNull().unique(),
  createdAt: text('created_at').notNull(),
  lastUsedAt: text('last_used_at'),
  expiresAt: text('expires_at'),
  revokedAt: text('revoked_at')
}, (table) => [
  check('tokens_role_check', sql`${table.role} in ('admin', 'editor', 'author')`),
  check('tokens_author_role_check', sql`(${table.role} = 'author') = (${table.authorId} is not null)`)
])

/** Facts about the database itself, such as the time zone its stored days were computed in. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull()
})

/**
 * Days an editor created or annotated. A day also exists, without a row here, while it
 * has published articles: `articles.published_day` is the source of those.
 */
export const days = sqliteTable('days', {
  day: text('day').primaryKey(),
  note: text('note'),
  version: integer('version').notNull().default(1),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull()
})

export const commentStatuses = ['pending', 'approved', 'spam', 'rejected'] as const
export type CommentStatus = (typeof commentStatuses)[number]

export const comments = sqliteTable('comments', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  parentId: integer('parent_id').references((): AnySQLiteColumn => comments.id, { onDelete: 'set null' }),
  authorName: text('author_name').notNull(),
  authorUrl: text('author_url'),
  /** Private: shown to moderators only. */
  authorEmail: text('author_email'),
  body: text('body').notNull(),
  status: text('status', { enum: commentStatuses }).notNull(),
  version: integer('version').notNull().default(1),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull()
}, (table) => [
  check('comments_status_check', sql`${table.status} in ('pending', 'approved', 'spam', 'rejected')`),
  index('comments_article_idx').on(table.articleId, table.status, table.createdAt, table.id),
  // A thread's replies, level by level (comments/queries.ts, approvedRepliesBelow).
  index('comments_parent_idx').on(table.parentId, table.status),
  index('comments_status_idx').on(table.status, table.createdAt, table.id)
])

export const importedResources = ['author', 'article', 'comment', 'media', 'page'] as const
export type ImportedResource = (typeof importedResources)[number]

/**
 * Where each imported row came from (format + source site + source id), so importing the
 * same file again updates or leaves rows instead of creating them twice.
 */
export const importedRows = sqliteTable('imported_rows', {
  resource: text('resource', { enum: importedResources }).notNull(),
  format: text('format').notNull(),
  site: text('site').notNull(),
  sourceId: text('source_id').notNull(),
  targetId: integer('target_id').notNull(),
  /** SHA-256 of the source record as last imported: the same digest again means unchanged. */
  digest: text('digest').notNull(),
  importedAt: text('imported_at').notNull()
}, (table) => [
  primaryKey({ columns: [table.resource, table.format, table.site, table.sourceId] }),
  index('imported_rows_target_idx').on(table.resource, table.targetId)
])

/**
 * The first answer to each POST that carried an `Idempotency-Key`, replayed when the same
 * client retries with the same key (for 24 hours) instead of creating twice.
 */
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  /** Who sent it: a token id, or a digest of an anonymous client's address (never the address). */
  scope: text('scope').notNull(),
  key: text('key').notNull(),
  /** SHA-256 of method, path and body: the same key with another request is refused. */
  requestDigest: text('request_digest').notNull(),
  status: integer('status').notNull(),
  /** The answer's headers worth replaying (content-type, location, etag), as JSON. */
  headers: text('headers').notNull(),
  body: text('body').notNull(),
  createdAt: text('created_at').notNull()
}, (table) => [
  primaryKey({ columns: [table.scope, table.key] }),
  index('idempotency_keys_created_at_idx').on(table.createdAt)
])

/**
 * Earlier versions of articles: each update keeps the version it replaces, so an editor can
 * look back and restore one. Numbered per article from 1; the oldest beyond the cap are pruned.
 */
export const articleRevisions = sqliteTable('article_revisions', {
  articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  number: integer('number').notNull(),
  /** The article's version this was (the `v` of its ETag). */
  version: integer('version').notNull(),
  status: text('status', { enum: articleStatuses }).notNull(),
  publishedAt: text('published_at'),
  authorId: integer('author_id').notNull(),
  /** When this version was written (the article's updatedAt then). */
  writtenAt: text('written_at').notNull(),
  /** When an update replaced it, and whose token made that update. */
  replacedAt: text('replaced_at').notNull(),
  replacedBy: text('replaced_by').notNull(),
  title: text('title').notNull(),
  customExcerpt: text('custom_excerpt'),
  /** The label names, in order, as JSON. */
  labels: text('labels').notNull(),
  /** The byline then, as a JSON array of author ids; null in revisions kept before bylines. */
  authorIds: text('author_ids'),
  unpublishAt: text('unpublish_at'),
  /** Its `SeoFields` (src/resources/seo/schemas.ts) as JSON; null when none were set or before they existed. */
  seo: text('seo'),
  body: text('body').notNull()
}, (table) => [
  primaryKey({ columns: [table.articleId, table.number] })
])

/**
 * Deleted articles, kept for `DATELINE_TRASH_DAYS` so they can be restored. The row leaves
 * `articles` (so no list, page, feed or count can show it by mistake) and its content, labels,
 * comments and revisions travel here as one JSON document; the columns are what the trash
 * lists and what must stay enforced: the slug stays reserved and the author can't vanish.
 */
export const trashedArticles = sqliteTable('trashed_articles', {
  /** The article's own id, kept: ids are never reused, so a restore puts it back where it was. */
  id: integer('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  status: text('status', { enum: articleStatuses }).notNull(),
  publishedAt: text('published_at'),
  authorId: integer('author_id').notNull().references(() => authors.id, { onDelete: 'restrict' }),
  commentCount: integer('comment_count').notNull(),
  /** The article's version when it was trashed (the `v` of its ETag then). */
  version: integer('version').notNull(),
  trashedAt: text('trashed_at').notNull(),
  trashedBy: text('trashed_by').notNull(),
  /** When it is purged for good; until then restorable. */
  purgeAt: text('purge_at').notNull(),
  /** `TrashedContent` (src/resources/trash/queries.ts) as JSON. */
  content: text('content').notNull()
}, (table) => [
  check('trashed_articles_status_check', sql`${table.status} in ('draft', 'scheduled', 'published')`),
  index('trashed_articles_trashed_at_idx').on(table.trashedAt, table.id),
  index('trashed_articles_purge_at_idx').on(table.purgeAt),
  index('trashed_articles_author_idx').on(table.authorId, table.trashedAt)
])

/**
 * A page's earlier versions (`DATELINE_REVISIONS_KEPT` per page, as for articles). The title,
 * slug and status are what the list shows; `snapshot` is the whole version as one JSON
 * document (`PageSnapshot`, src/resources/pages/snapshot.ts), so a field pages gain is kept
 * without a column here.
 */
export const pageRevisions = sqliteTable('page_revisions', {
  pageId: integer('page_id').notNull().references(() => pages.id, { onDelete: 'cascade' }),
  number: integer('number').notNull(),
  /** The page's version this was (the `v` of its ETag). */
  version: integer('version').notNull(),
  title: text('title').notNull(),
  slug: text('slug').notNull(),
  status: text('status', { enum: pageStatuses }).notNull(),
  /** When this version was written (the page's updatedAt then). */
  writtenAt: text('written_at').notNull(),
  /** When an update replaced it, and whose token made that update. */
  replacedAt: text('replaced_at').notNull(),
  replacedBy: text('replaced_by').notNull(),
  snapshot: text('snapshot').notNull()
}, (table) => [
  primaryKey({ columns: [table.pageId, table.number] })
])

/**
 * Deleted pages, kept for `DATELINE_TRASH_DAYS` as articles are (`trashed_articles`): the row
 * leaves `pages`, its content and revisions travel here as one JSON document, and its slug
 * stays reserved. `parent_id` is the parent it had, a plain number: that page may go meanwhile.
 */
export const trashedPages = sqliteTable('trashed_pages', {
  /** The page's own id, kept: a restore puts it back under it. */
  id: integer('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  status: text('status', { enum: pageStatuses }).notNull(),
  parentId: integer('parent_id'),
  /** The page's version when it was trashed (the `v` of its ETag then). */
  version: integer('version').notNull(),
  trashedAt: text('trashed_at').notNull(),
  trashedBy: text('trashed_by').notNull(),
  purgeAt: text('purge_at').notNull(),
  /** `TrashedPageContent` (src/resources/page-trash/queries.ts) as JSON. */
  content: text('content').notNull()
}, (table) => [
  check('trashed_pages_status_check', sql`${table.status} in ('draft', 'published')`),
  index('trashed_pages_trashed_at_idx').on(table.trashedAt, table.id),
  index('trashed_pages_purge_at_idx').on(table.purgeAt)
])

/** What the change log records changes of (issue 20). */
export const changedResources = ['article', 'comment', 'author', 'day', 'label', 'media', 'redirect', 'page'] as const
/**
 * What happened to it, as an editor sees it. Readers without a token see `created`, `updated`
 * and `removed` of what they can see (src/resources/changes/service.ts).
 */
export const changeKinds = ['created', 'updated', 'published', 'unpublished', 'scheduled', 'trashed', 'restored', 'purged', 'approved', 'unapproved', 'removed', 'deleted'] as const

/**
 * The change log: one entry per change of what the API serves, appended by the unit of work
 * that made the change, as its last step, so an entry commits with its change or not at all.
 * Positions follow the order of the commits (SQLite has one writer; on PostgreSQL they are
 * taken with the write stamp's row lock, held until the commit), so a reader that has seen a
 * position never later finds an entry before it. Kept `DATELINE_CHANGES_RETENTION_DAYS`.
 */
export const changes = sqliteTable('changes', {
  position: integer('position').primaryKey({ autoIncrement: true }),
  at: text('at').notNull(),
  resource: text('resource', { enum: changedResources }).notNull(),
  /** The resource's id, or a day note's day. */
  resourceId: text('resource_id').notNull(),
  /** The article's or author's slug after the change (its last one, when it is gone). */
  slug: text('slug'),
  kind: text('kind', { enum: changeKinds }).notNull(),
  /** The fields the change wrote, as a JSON array of their API names. */
  fields: text('fields').notNull(),
  /** The article the entry is about, or that a comment is on: what a live page follows. */
  articleId: integer('article_id'),
  /** An article's author: author tokens also see their own drafts' changes. */
  authorId: integer('author_id'),
  /** Whether a reader without a token could see the resource before the change, and after it. */
  publicBefore: integer('public_before', { mode: 'boolean' }).notNull(),
  publicAfter: integer('public_after', { mode: 'boolean' }).notNull()
}, (table) => [
  index('changes_at_idx').on(table.at)
])

/** Where a delivery stands: waiting (or being sent), received, or given up on. */
export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const

/**
 * Webhooks: an address told of changes as they are logged (issue 20). `cursor` is the last
 * change-log position fanned out to it: a new webhook starts at the log's head, and one that
 * is disabled keeps its place, so enabling it again goes on from the first change it missed.
 */
export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  description: text('description').notNull(),
  /** A JSON array of event types (`article.published`, `article.*`, `*`). */
  events: text('events').notNull(),
  /** The signing secret (`whsec_…`). Kept as it is: signing needs it. Never answered after creation. */
  secret: text('secret').notNull(),
  /** The secret before the last rotation, which also signs until `previousSecretExpiresAt`: receivers switch over meanwhile. */
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: text('previous_secret_expires_at'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull(),
  /** Why it was disabled, when the deliverer disabled it; null when an admin did, or it is enabled. */
  disabledReason: text('disabled_reason'),
  cursor: integer('cursor').notNull(),
  /** When the run of failed attempts began that no delivery has ended since; null when the last attempt succeeded. */
  failingSince: text('failing_since'),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull()
})

/**
 * The outbox: one row per event for a webhook, from its fan-out to its last attempt. A row is
 * claimed for an attempt by setting `leaseUntil`; a process that dies while sending leaves the
 * lease to run out, and the row is claimed again (at least once, at most one attempt more).
 */
export const webhookDeliveries = sqliteTable('webhook_deliveries', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  webhookId: integer('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  /** The `webhook-id` header: the same for every attempt, so a receiver can drop a repeat. */
  messageId: text('message_id').notNull().unique(),
  position: integer('position').notNull(),
  event: text('event').notNull(),
  /** `resource:id`: deliveries about one resource go out in order. */
  subject: text('subject').notNull(),
  /** The body sent, fixed at fan-out so every attempt sends the same bytes. */
  payload: text('payload').notNull(),
  status: text('status', { enum: deliveryStatuses }).notNull(),
  attempts: integer('attempts').notNull(),
  /** Attempts in the current run (a redelivery starts a new one): where the retry schedule stands. */
  step: integer('step').notNull(),
  nextAttemptAt: text('next_attempt_at').notNull(),
  leaseUntil: text('lease_until'),
  lastAttemptAt: text('last_attempt_at'),
  responseStatus: integer('response_status'),
  /** The start of the receiver's answer, or why there was none. */
  responseExcerpt: text('response_excerpt'),
  error: text('error'),
  createdAt: text('created_at').notNull(),
  deliveredAt: text('delivered_at')
}, (table) => [
  index('webhook_deliveries_due_idx').on(table.status, table.nextAttemptAt),
  index('webhook_deliveries_webhook_idx').on(table.webhookId, table.id),
  index('webhook_deliveries_subject_idx').on(table.webhookId, table.subject, table.id)
])

/** Where a media item's files are: uploaded (variants in the media store) or external (an import's URL, not fetched yet). */
export const mediaSources = ['upload', 'external'] as const
export type MediaSource = (typeof mediaSources)[number]

/**
 * Images (issue 21). An upload's files live in the media store under `key`, a random name:
 * the original as it came (never served) and its variants, listed in `variants` as JSON
 * (`{ file, format, width, height, bytes }`), each served from `/media/{key}/{file}`.
 */
export const media = sqliteTable('media', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  source: text('source', { enum: mediaSources }).notNull(),
  /** The author whose token uploaded it: authors may attach and edit only theirs. */
  ownerAuthorId: integer('owner_author_id').references(() => authors.id, { onDelete: 'set null' }),
  fileName: text('file_name').notNull(),
  /** The detected format (`jpeg`, `png`, `webp`, `avif`, `gif`); null for an external item not fetched. */
  format: text('format'),
  width: integer('width'),
  height: integer('height'),
  bytes: integer('bytes'),
  animated: integer('animated', { mode: 'boolean' }).notNull(),
  alt: text('alt').notNull(),
  caption: text('caption').notNull(),
  credit: text('credit').notNull(),
  focalX: real('focal_x').notNull(),
  focalY: real('focal_y').notNull(),
  dominantColor: text('dominant_color'),
  /** A tiny blurred WebP as a `data:` URI, for lazy loading. */
  placeholder: text('placeholder'),
  variants: text('variants').notNull(),
  /** Where an imported image was (its export's URL); null for uploads. */
  externalUrl: text('external_url'),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull()
}, (table) => [
  check('media_source_check', sql`${table.source} in ('upload', 'external')`),
  index('media_created_at_idx').on(table.createdAt, table.id),
  index('media_owner_idx').on(table.ownerAuthorId, table.id)
])

/** How an article uses an image: as its featured image, or inline in its body. */
export const mediaUses = ['featured', 'inline'] as const
export type MediaUse = (typeof mediaUses)[number]

/**
 * Which articles use which images, so an image in use is not deleted from under them. A side
 * table, not a column of `articles`: the featured image of a page of articles is read in one
 * query, as their labels are, and the article rows keep their long text last (migration 0007).
 */
export const articleMedia = sqliteTable('article_media', {
  articleId: integer('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  mediaId: integer('media_id').notNull().references(() => media.id, { onDelete: 'restrict' }),
  use: text('use', { enum: mediaUses }).notNull()
}, (table) => [
  primaryKey({ columns: [table.articleId, table.mediaId, table.use] }),
  check('article_media_use_check', sql`${table.use} in ('featured', 'inline')`),
  // One featured image per article.
  uniqueIndex('article_media_featured_idx').on(table.articleId).where(sql`${table.use} = 'featured'`),
  index('article_media_media_idx').on(table.mediaId, table.articleId)
])

/**
 * What an article or a page tells search engines and social networks (issue 22, part 1): a
 * side table, one row for what has any of it set, so `articles` keeps its long text last and
 * an article without any reads as every fallback. One table for both owners (exactly one
 * of `article_id` and `page_id`), so one query module serves both and the sitemap asks one place.
 */
export const seoFields = sqliteTable('seo_fields', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  articleId: integer('article_id').references(() => articles.id, { onDelete: 'cascade' }),
  pageId: integer('page_id').references(() => pages.id, { onDelete: 'cascade' }),
  title: text('title'),
  description: text('description'),
  canonicalUrl: text('canonical_url'),
  noindex: integer('noindex', { mode: 'boolean' }).notNull().default(false),
  socialTitle: text('social_title'),
  socialDescription: text('social_description'),
  // Restrict, as featured images are: an image in use is taken off first (media/service.ts).
  socialImageId: integer('social_image_id').references(() => media.id, { onDelete: 'restrict' })
}, (table) => [
  check('seo_fields_owner_check', sql`(${table.articleId} is null) <> (${table.pageId} is null)`),
  uniqueIndex('seo_fields_article_idx').on(table.articleId),
  uniqueIndex('seo_fields_page_idx').on(table.pageId),
  index('seo_fields_social_image_idx').on(table.socialImageId)
])

export const redirectStatuses = [301, 302, 307, 308] as const
export type RedirectStatus = (typeof redirectStatuses)[number]

/**
 * Redirects editors keep for the front end's paths (an old site's URLs, a merged story): what
 * `GET /v1/redirects?path=` answers beside the old slugs of articles (`article_old_slugs`).
 * Paths are kept in one spelling (src/resources/redirects/paths.ts), so a lookup is one probe
 * of the unique index however the front end spelled the path.
 */
export const redirects = sqliteTable('redirects', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  fromPath: text('from_path').notNull().unique(),
  /** A path on the front end (with any query it should carry) or an absolute http(s) URL. */
  target: text('target').notNull(),
  status: integer('status').notNull(),
  version: integer('version').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull()
})
