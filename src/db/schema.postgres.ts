import { sql } from 'drizzle-orm'
import { bigint, boolean, check, customType, date, doublePrecision, index, integer, pgTable, primaryKey, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core'
import { articleStatuses, changedResources, changeKinds, commentStatuses, deliveryStatuses, importedResources, mediaSources, pageStatuses, mediaUses, tokenRoles } from './schema.js'

// The PostgreSQL twin of schema.ts: the same tables, columns, constraints and indexes, so
// rows read from either database have the same TypeScript type (test/db-postgres.test.ts
// checks both). Left out are SQLite's full-text machinery (FTS5 tables and their
// `articles_text`, migrations 0003–0005); `search_documents` and `write_stamp` below are
// PostgreSQL's own. Migrations: migrations/postgres/, generated from this file.

/** How PostgreSQL writes a timestamptz as text, in any session time zone (DateStyle ISO). */
const postgresTimestamp = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?|Z)$/

/**
 * A timestamptz from PostgreSQL as Dateline writes timestamps everywhere else: RFC 3339, UTC,
 * milliseconds (`2015-06-25T14:03:00.000Z`). drizzle's node-postgres driver hands over the
 * server's text (`2015-06-25 14:03:00+00`, fraction and offset as the session has them);
 * node-postgres on its own hands over a Date.
 */
export function timestampFromPostgres (value: string | Date): string {
  if (value instanceof Date) return value.toISOString()
  const parts = postgresTimestamp.exec(value)
  if (parts === null) throw new RangeError(`not a PostgreSQL timestamp: ${value}`)
  const [, year, month, day, hour, minute, second, fraction = '', sign, offsetHours = '0', offsetMinutes = '0', offsetSeconds = '0'] = parts
  const milliseconds = Math.round(Number(`0.${fraction || '0'}`) * 1000)
  const utc = new Date(Date.UTC(2000, Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), milliseconds))
  // Date.UTC reads years 0–99 as 1900–1999: the year goes in on its own.
  utc.setUTCFullYear(Number(year))
  const offset = (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60 + Number(offsetSeconds)) * 1000
  return new Date(utc.getTime() - (sign === '-' ? -offset : offset)).toISOString()
}

/**
 * `timestamp(3) with time zone`, read and written as Dateline's timestamp strings. Three
 * digits: the API's timestamps have milliseconds, and a finer stored value would not come
 * back as the string that was written.
 */
const timestamp = customType<{ data: string, driverData: string | Date }>({
  dataType: () => 'timestamp (3) with time zone',
  toDriver: (value) => value,
  fromDriver: timestampFromPostgres
})

/**
 * Text compared byte by byte (collation "C"), as SQLite compares it: lists sorted by title or
 * name come in the same order on both databases, whatever locale the database was made with.
 * `enum` narrows the type only; the check constraints keep out other values.
 */
function text<T extends string = string> (name: string, _options?: { enum: readonly T[] }) {
  return customType<{ data: T }>({ dataType: () => 'text collate "C"' })(name)
}

/** A `YYYY-MM-DD` day, as text both ways (the session's DateStyle is ISO: src/db/postgres.ts). */
function day (name: string) {
  return date(name, { mode: 'string' })
}

/**
 * JSON text, as the services write and parse it, stored as `jsonb`: PostgreSQL checks it is
 * JSON and can look inside it. What comes back is the same value, compactly written as
 * JSON.stringify writes it; object keys come back in jsonb's order (shorter keys first),
 * which JSON does not give a meaning to. node-postgres parses jsonb itself, so what the
 * driver hands over is the value (a JSON string arrives as a JavaScript string).
 */
const jsonText = customType<{ data: string, driverData: unknown }>({
  dataType: () => 'jsonb',
  toDriver: (value) => value,
  fromDriver: (value) => JSON.stringify(value)
})

/** A text search vector, written by the application (src/search/): drizzle has no tsvector. */
const tsvector = customType<{ data: string }>({
  dataType: () => 'tsvector'
})

/**
 * SQLite's INTEGER is 64 bits wide, and the API takes ids up to 2^53 − 1 (schemas.ts, maxId):
 * with PostgreSQL's 32-bit integer, looking up a larger id would fail as out of range (a 500)
 * instead of finding nothing, and an import could not keep a WordPress id past 2^31.
 */
function int64 (name: string) {
  return bigint(name, { mode: 'number' })
}

/** Ids come from an identity, yet may be given: imports and trash restores keep ids. */
function id () {
  return int64('id').primaryKey().generatedByDefaultAsIdentity()
}

export const authors = pgTable('authors', {
  id: id(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  bio: text('bio'),
  avatarUrl: text('avatar_url'),
  url: text('url'),
  email: text('email'),
  version: int64('version').notNull().default(1),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull()
}, (table) => [
  index('authors_name_idx').on(table.name, table.id),
  index('authors_created_at_idx').on(table.createdAt, table.id)
])

export const articles = pgTable('articles', {
  id: id(),
  slug: text('slug').notNull().unique(),
  status: text('status', { enum: articleStatuses }).notNull(),
  publishedAt: timestamp('published_at'),
  publishedDay: day('published_day'),
  authorId: int64('author_id').notNull().references(() => authors.id, { onDelete: 'restrict' }),
  commentCount: int64('comment_count').notNull().default(0),
  version: int64('version').notNull().default(1),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
  unpublishAt: timestamp('unpublish_at'),
  title: text('title').notNull(),
  customExcerpt: text('custom_excerpt'),
  excerpt: text('excerpt').notNull(),
  body: text('body').notNull()
}, (table) => [
  check('articles_status_check', sql`${table.status} in ('draft', 'scheduled', 'published')`),
  index('articles_status_published_idx').on(table.status, table.publishedAt, table.id),
  index('articles_author_idx').on(table.authorId, table.status, table.publishedAt),
  index('articles_day_idx').on(table.publishedDay, table.status, table.publishedAt, table.id),
  index('articles_updated_at_idx').on(table.updatedAt, table.id),
  index('articles_title_idx').on(table.title, table.id),
  index('articles_unpublish_at_idx').on(table.unpublishAt)
])

export const labels = pgTable('labels', {
  id: id(),
  name: text('name').notNull(),
  key: text('key').notNull().unique(),
  slug: text('slug').unique(),
  description: text('description').notNull().default(''),
  parentId: int64('parent_id').references((): AnyPgColumn => labels.id, { onDelete: 'set null' })
}, (table) => [
  index('labels_parent_idx').on(table.parentId)
])

export const pages = pgTable('pages', {
  id: id(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  status: text('status', { enum: pageStatuses }).notNull().default('draft'),
  parentId: int64('parent_id').references((): AnyPgColumn => pages.id, { onDelete: 'set null' }),
  position: integer('position').notNull().default(0),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
  version: int64('version').notNull().default(1),
  customExcerpt: text('custom_excerpt'),
  excerpt: text('excerpt').notNull().default(''),
  body: text('body').notNull().default('')
}, (table) => [
  check('pages_status_check', sql`${table.status} in ('draft', 'published')`),
  index('pages_parent_idx').on(table.parentId, table.position, table.title)
])

export const articleLabels = pgTable('article_labels', {
  articleId: int64('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  labelId: int64('label_id').notNull().references(() => labels.id, { onDelete: 'cascade' }),
  position: int64('position').notNull()
}, (table) => [
  primaryKey({ columns: [table.articleId, table.labelId] }),
  index('article_labels_label_idx').on(table.labelId, table.articleId)
])

export const articleAuthors = pgTable('article_authors', {
  articleId: int64('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  authorId: int64('author_id').notNull().references(() => authors.id, { onDelete: 'cascade' }),
  position: int64('position').notNull()
}, (table) => [
  primaryKey({ columns: [table.articleId, table.authorId] }),
  index('article_authors_author_idx').on(table.authorId, table.articleId)
])

export const tokens = pgTable('tokens', {
  id: id(),
  name: text('name').notNull(),
  role: text('role', { enum: tokenRoles }).notNull(),
  authorId: int64('author_id').references(() => authors.id, { onDelete: 'cascade' }),
  secretHash: text('secret_hash').notNull().unique(),
  createdAt: timestamp('created_at').notNull(),
  lastUsedAt: timestamp('last_used_at'),
  expiresAt: timestamp('expires_at'),
  revokedAt: timestamp('revoked_at')
}, (table) => [
  check('tokens_role_check', sql`${table.role} in ('admin', 'editor', 'author')`),
  check('tokens_author_role_check', sql`(${table.role} = 'author') = (${table.authorId} is not null)`)
])

export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull()
})

export const days = pgTable('days', {
  day: day('day').primaryKey(),
  note: text('note'),
  version: int64('version').notNull().default(1),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull()
})

export const comments = pgTable('comments', {
  id: id(),
  articleId: int64('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  parentId: int64('parent_id').references((): AnyPgColumn => comments.id, { onDelete: 'set null' }),
  authorName: text('author_name').notNull(),
  authorUrl: text('author_url'),
  authorEmail: text('author_email'),
  body: text('body').notNull(),
  status: text('status', { enum: commentStatuses }).notNull(),
  version: int64('version').notNull().default(1),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull()
}, (table) => [
  check('comments_status_check', sql`${table.status} in ('pending', 'approved', 'spam', 'rejected')`),
  index('comments_article_idx').on(table.articleId, table.status, table.createdAt, table.id),
  index('comments_parent_idx').on(table.parentId, table.status),
  index('comments_status_idx').on(table.status, table.createdAt, table.id)
])

export const importedRows = pgTable('imported_rows', {
  resource: text('resource', { enum: importedResources }).notNull(),
  format: text('format').notNull(),
  site: text('site').notNull(),
  sourceId: text('source_id').notNull(),
  targetId: int64('target_id').notNull(),
  digest: text('digest').notNull(),
  importedAt: timestamp('imported_at').notNull()
}, (table) => [
  primaryKey({ columns: [table.resource, table.format, table.site, table.sourceId] }),
  index('imported_rows_target_idx').on(table.resource, table.targetId)
])

export const idempotencyKeys = pgTable('idempotency_keys', {
  scope: text('scope').notNull(),
  key: text('key').notNull(),
  requestDigest: text('request_digest').notNull(),
  status: int64('status').notNull(),
  headers: jsonText('headers').notNull(),
  // Text, not jsonb: replayed byte for byte, and not every answer is JSON.
  body: text('body').notNull(),
  createdAt: timestamp('created_at').notNull()
}, (table) => [
  primaryKey({ columns: [table.scope, table.key] }),
  index('idempotency_keys_created_at_idx').on(table.createdAt)
])

export const articleRevisions = pgTable('article_revisions', {
  articleId: int64('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  number: int64('number').notNull(),
  version: int64('version').notNull(),
  status: text('status', { enum: articleStatuses }).notNull(),
  publishedAt: timestamp('published_at'),
  authorId: int64('author_id').notNull(),
  writtenAt: timestamp('written_at').notNull(),
  replacedAt: timestamp('replaced_at').notNull(),
  replacedBy: text('replaced_by').notNull(),
  title: text('title').notNull(),
  customExcerpt: text('custom_excerpt'),
  labels: jsonText('labels').notNull(),
  authorIds: jsonText('author_ids'),
  unpublishAt: timestamp('unpublish_at'),
  seo: jsonText('seo'),
  body: text('body').notNull()
}, (table) => [
  primaryKey({ columns: [table.articleId, table.number] })
])

export const trashedArticles = pgTable('trashed_articles', {
  // No identity: the article's own id, kept.
  id: int64('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  status: text('status', { enum: articleStatuses }).notNull(),
  publishedAt: timestamp('published_at'),
  authorId: int64('author_id').notNull().references(() => authors.id, { onDelete: 'restrict' }),
  commentCount: int64('comment_count').notNull(),
  version: int64('version').notNull(),
  trashedAt: timestamp('trashed_at').notNull(),
  trashedBy: text('trashed_by').notNull(),
  purgeAt: timestamp('purge_at').notNull(),
  content: jsonText('content').notNull()
}, (table) => [
  check('trashed_articles_status_check', sql`${table.status} in ('draft', 'scheduled', 'published')`),
  index('trashed_articles_trashed_at_idx').on(table.trashedAt, table.id),
  index('trashed_articles_purge_at_idx').on(table.purgeAt),
  index('trashed_articles_author_idx').on(table.authorId, table.trashedAt)
])

export const pageRevisions = pgTable('page_revisions', {
  pageId: int64('page_id').notNull().references(() => pages.id, { onDelete: 'cascade' }),
  number: int64('number').notNull(),
  version: int64('version').notNull(),
  title: text('title').notNull(),
  slug: text('slug').notNull(),
  status: text('status', { enum: pageStatuses }).notNull(),
  writtenAt: timestamp('written_at').notNull(),
  replacedAt: timestamp('replaced_at').notNull(),
  replacedBy: text('replaced_by').notNull(),
  snapshot: jsonText('snapshot').notNull()
}, (table) => [
  primaryKey({ columns: [table.pageId, table.number] })
])

export const trashedPages = pgTable('trashed_pages', {
  // No identity: the page's own id, kept.
  id: int64('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  status: text('status', { enum: pageStatuses }).notNull(),
  parentId: int64('parent_id'),
  version: int64('version').notNull(),
  trashedAt: timestamp('trashed_at').notNull(),
  trashedBy: text('trashed_by').notNull(),
  purgeAt: timestamp('purge_at').notNull(),
  content: jsonText('content').notNull()
}, (table) => [
  check('trashed_pages_status_check', sql`${table.status} in ('draft', 'published')`),
  index('trashed_pages_trashed_at_idx').on(table.trashedAt, table.id),
  index('trashed_pages_purge_at_idx').on(table.purgeAt)
])

/**
 * What full-text search reads on PostgreSQL, one row per article, written by the application
 * in the article's transaction (no trigger: the text is derived from the body's HTML in
 * JavaScript, as for SQLite's `articles_text`).
 *
 * - `title`, `excerpt`, `body` (as text), `labels` (space-separated): the text, kept so
 *   `ts_headline` can cut snippets and an edit that leaves the body alone need not derive
 *   its text again.
 * - `document`: `to_tsvector('dateline', …)` of each part, weighted (`setweight`) title A,
 *   labels B, excerpt C, body D; accents folded and words stemmed (configuration
 *   `dateline`, migrations/postgres/0001). SQLite's bm25 weighs title 10, labels 5,
 *   excerpt 2, body 1: the same proportions as ts_rank's default weights (D 0.1, C 0.2,
 *   B 0.4, A 1). src/search/queries.postgres.ts writes it.
 * - `words`: the same text, weighted alike, under `dateline_words`, accents folded but not stemmed: what a
 *   reader is still typing is a prefix of the word as written ("happin" of "happiness"),
 *   not of its stem ("happi"), as with SQLite's `articles_words`.
 * - `title_words`: the title's part of `words` (weight A), kept by PostgreSQL. Title
 *   suggestions match it: asking `words` for title words only (`'gov':*A`) makes GIN give
 *   every article holding the word anywhere, each then checked by reading its whole vector
 *   (2.7 s for a prefix of a word in most of 100 k articles).
 */
export const searchDocuments = pgTable('search_documents', {
  articleId: int64('article_id').primaryKey().references(() => articles.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  excerpt: text('excerpt').notNull(),
  body: text('body').notNull(),
  labels: text('labels').notNull(),
  document: tsvector('document').notNull(),
  words: tsvector('words').notNull(),
  titleWords: tsvector('title_words').notNull().generatedAlwaysAs(sql`ts_filter(words, '{a}')`)
}, (table) => [
  index('search_documents_document_idx').using('gin', table.document),
  index('search_documents_words_idx').using('gin', table.words),
  index('search_documents_title_words_idx').using('gin', table.titleWords)
])

/**
 * One row, one counter, bumped by every write transaction: the write stamp across every
 * instance on the database (list ETags and caches key on it). Readers see it move only when
 * a write commits; writers queue on the row, which is the price of that guarantee.
 * The row is made by migration 0001.
 */
export const writeStamp = pgTable('write_stamp', {
  id: int64('id').primaryKey().default(1),
  stamp: int64('stamp').notNull().default(0),
  /** The change log's last position: taken under the same row lock, so positions are in commit order. */
  changePosition: int64('change_position').notNull().default(0)
}, (table) => [
  check('write_stamp_one_row', sql`${table.id} = 1`)
])

/** The change log (schema.ts); positions come from `write_stamp.change_position`. */
export const changes = pgTable('changes', {
  position: int64('position').primaryKey(),
  at: timestamp('at').notNull(),
  resource: text('resource', { enum: changedResources }).notNull(),
  resourceId: text('resource_id').notNull(),
  slug: text('slug'),
  kind: text('kind', { enum: changeKinds }).notNull(),
  fields: jsonText('fields').notNull(),
  articleId: int64('article_id'),
  authorId: int64('author_id'),
  publicBefore: boolean('public_before').notNull(),
  publicAfter: boolean('public_after').notNull()
}, (table) => [
  index('changes_at_idx').on(table.at)
])

export const webhooks = pgTable('webhooks', {
  id: id(),
  url: text('url').notNull(),
  description: text('description').notNull(),
  events: jsonText('events').notNull(),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: timestamp('previous_secret_expires_at'),
  enabled: boolean('enabled').notNull(),
  disabledReason: text('disabled_reason'),
  cursor: int64('cursor').notNull(),
  failingSince: timestamp('failing_since'),
  version: int64('version').notNull(),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull()
})

export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: id(),
  webhookId: int64('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  messageId: text('message_id').notNull().unique(),
  position: int64('position').notNull(),
  event: text('event').notNull(),
  subject: text('subject').notNull(),
  payload: text('payload').notNull(),
  status: text('status', { enum: deliveryStatuses }).notNull(),
  attempts: int64('attempts').notNull(),
  step: int64('step').notNull(),
  nextAttemptAt: timestamp('next_attempt_at').notNull(),
  leaseUntil: timestamp('lease_until'),
  lastAttemptAt: timestamp('last_attempt_at'),
  responseStatus: int64('response_status'),
  responseExcerpt: text('response_excerpt'),
  error: text('error'),
  createdAt: timestamp('created_at').notNull(),
  deliveredAt: timestamp('delivered_at')
}, (table) => [
  index('webhook_deliveries_due_idx').on(table.status, table.nextAttemptAt),
  index('webhook_deliveries_webhook_idx').on(table.webhookId, table.id),
  index('webhook_deliveries_subject_idx').on(table.webhookId, table.subject, table.id)
])

export const media = pgTable('media', {
  id: id(),
  key: text('key').notNull().unique(),
  source: text('source', { enum: mediaSources }).notNull(),
  ownerAuthorId: int64('owner_author_id').references(() => authors.id, { onDelete: 'set null' }),
  fileName: text('file_name').notNull(),
  format: text('format'),
  width: int64('width'),
  height: int64('height'),
  bytes: int64('bytes'),
  animated: boolean('animated').notNull(),
  alt: text('alt').notNull(),
  caption: text('caption').notNull(),
  credit: text('credit').notNull(),
  focalX: doublePrecision('focal_x').notNull(),
  focalY: doublePrecision('focal_y').notNull(),
  dominantColor: text('dominant_color'),
  placeholder: text('placeholder'),
  variants: text('variants').notNull(),
  externalUrl: text('external_url'),
  version: int64('version').notNull(),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull()
}, (table) => [
  check('media_source_check', sql`${table.source} in ('upload', 'external')`),
  index('media_created_at_idx').on(table.createdAt, table.id),
  index('media_owner_idx').on(table.ownerAuthorId, table.id)
])

export const articleMedia = pgTable('article_media', {
  articleId: int64('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  mediaId: int64('media_id').notNull().references(() => media.id, { onDelete: 'restrict' }),
  use: text('use', { enum: mediaUses }).notNull()
}, (table) => [
  primaryKey({ columns: [table.articleId, table.mediaId, table.use] }),
  check('article_media_use_check', sql`${table.use} in ('featured', 'inline')`),
  uniqueIndex('article_media_featured_idx').on(table.articleId).where(sql`${table.use} = 'featured'`),
  index('article_media_media_idx').on(table.mediaId, table.articleId)
])

export const articleOldSlugs = pgTable('article_old_slugs', {
  slug: text('slug').primaryKey(),
  articleId: int64('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  replacedAt: timestamp('replaced_at').notNull()
}, (table) => [
  index('article_old_slugs_article_idx').on(table.articleId)
])

export const seoFields = pgTable('seo_fields', {
  id: id(),
  articleId: int64('article_id').references(() => articles.id, { onDelete: 'cascade' }),
  pageId: int64('page_id').references(() => pages.id, { onDelete: 'cascade' }),
  title: text('title'),
  description: text('description'),
  canonicalUrl: text('canonical_url'),
  noindex: boolean('noindex').notNull().default(false),
  socialTitle: text('social_title'),
  socialDescription: text('social_description'),
  socialImageId: int64('social_image_id').references(() => media.id, { onDelete: 'restrict' })
}, (table) => [
  check('seo_fields_owner_check', sql`(${table.articleId} is null) <> (${table.pageId} is null)`),
  uniqueIndex('seo_fields_article_idx').on(table.articleId),
  uniqueIndex('seo_fields_page_idx').on(table.pageId),
  index('seo_fields_social_image_idx').on(table.socialImageId)
])

export const redirects = pgTable('redirects', {
  id: id(),
  fromPath: text('from_path').notNull().unique(),
  target: text('target').notNull(),
  status: int64('status').notNull(),
  version: int64('version').notNull(),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull()
})

export const articleCorrections = pgTable('article_corrections', {
  id: id(),
  articleId: int64('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  note: text('note').notNull(),
  correctedAt: timestamp('corrected_at').notNull(),
  version: int64('version').notNull().default(1),
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull()
}, (table) => [
  index('article_corrections_article_idx').on(table.articleId, table.correctedAt, table.id),
  index('article_corrections_corrected_at_idx').on(table.correctedAt, table.id)
])

export const articlePreviews = pgTable('article_previews', {
  id: id(),
  articleId: int64('article_id').notNull().references(() => articles.id, { onDelete: 'cascade' }),
  secretHash: text('secret_hash').notNull().unique(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at').notNull(),
  expiresAt: timestamp('expires_at').notNull()
}, (table) => [
  index('article_previews_article_idx').on(table.articleId),
  index('article_previews_expires_idx').on(table.expiresAt)
])

/** Every table, by the name its SQLite twin has in schema.ts (or its own, for PostgreSQL's). */
export const postgresTables = {
  authors,
  articles,
  labels,
  pages,
  articleLabels,
  articleAuthors,
  tokens,
  meta,
  days,
  comments,
  importedRows,
  idempotencyKeys,
  articleRevisions,
  trashedArticles,
  pageRevisions,
  trashedPages,
  searchDocuments,
  writeStamp,
  changes,
  webhooks,
  webhookDeliveries,
  media,
  articleMedia,
  articleOldSlugs,
  redirects,
  articleCorrections,
  articlePreviews,
  seoFields
}

export type AuthorRow = typeof authors.$inferSelect
export type ArticleRow = typeof articles.$inferSelect
export type LabelRow = typeof labels.$inferSelect
export type ArticleLabelRow = typeof articleLabels.$inferSelect
export type TokenRow = typeof tokens.$inferSelect
export type MetaRow = typeof meta.$inferSelect
export type DayRow = typeof days.$inferSelect
export type CommentRow = typeof comments.$inferSelect
export type ImportedRow = typeof importedRows.$inferSelect
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect
export type ArticleRevisionRow = typeof articleRevisions.$inferSelect
export type TrashedArticleRow = typeof trashedArticles.$inferSelect
export type SearchDocumentRow = typeof searchDocuments.$inferSelect
export type WriteStampRow = typeof writeStamp.$inferSelect
export type WebhookRow = typeof webhooks.$inferSelect
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect
