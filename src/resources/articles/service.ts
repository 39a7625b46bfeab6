import { writeStamp, type Db, type DbOrTx } from '../../db/client.js'
import { readMeta, writeMeta } from '../../db/meta.js'
import { writeIfFree } from '../../db/write-if-free.js'
import type { ArticleStatus } from '../../db/schema.js'
import { Forbidden, invalid, NotFound } from '../../errors.js'
import { deriveExcerpt, htmlToText, renderMarkdown, sanitizeArticleHtml } from '../../lib/html.js'
import { mapPage, parseNames, parseSort, readPage, type Page } from '../../lib/list.js'
import { requestedSlug, slugify, uniqueSlug } from '../../lib/slug.js'
import { singleLine, withoutControls } from '../../lib/values.js'
import { dayInZone, nowIso, toUtcIso } from '../../lib/time.js'
import { hasRole } from '../../plugins/auth.js'
import { assertIfMatch, versionTag } from '../../plugins/http-cache.js'
import type { SiteSettings } from '../../plugins/settings.js'
import { authorById, authorBySlugOrId } from '../authors/queries.js'
import type { AuthorBody } from '../authors/schemas.js'
import { presentAuthors } from '../authors/service.js'
import { approvedCommentsByArticle } from '../comments/service.js'
import { articleShares, indexArticle, similarArticles, snippets, titleSuggestions, type SearchIndexBatch } from '../../search/index.js'
import { commonWordFewestArticles, toFtsQuery, type FtsQuery } from '../../search/query.js'
import { assertMayReadHistory, findOne as revisionOf, keepRevision } from '../revisions/service.js'
import type { Principal } from '../tokens/service.js'
import { slugInTrash } from '../trash/queries.js'
import type { Renumbered } from '../trash/queries.js'
import { restore as restoreTrashed, trashArticle } from '../trash/service.js'
import * as queries from './queries.js'
import {
  articleIncludes, articleSortFields,
  type ArticleBody, type ArticleListQueryString, type ArticlePatchBody, type ArticleQueryString,
  type ArticleSummaryBody, type NewArticleBody
} from './schemas.js'

/** The version an article's ETag carries, for `If-Match`. */
export function articleVersion (row: queries.ArticleRow): string {
  return `article-${row.id}-v${row.version}`
}

function visibilityFor (viewer: Principal | null, now: string): queries.Visibility {
  if (hasRole(viewer, 'editor')) return { publishedOnly: false, alsoAuthorId: null, now }
  return { publishedOnly: true, alsoAuthorId: viewer?.authorId ?? null, now }
}

function isVisible (row: queries.ArticleRow, visibility: queries.Visibility): boolean {
  if (!visibility.publishedOnly || row.authorId === visibility.alsoAuthorId) return true
  return row.status === 'published' && row.publishedAt !== null && row.publishedAt <= visibility.now
}

// Scheduled articles are published lazily, before a read that could see them. Checking
// for due ones is a query, so each database remembers when the next one is due — as of a
// write stamp, which also moves when another process writes (it may have scheduled one).
const nextDueByDb = new WeakMap<DbOrTx, { next: string | null, stamp: string }>()

/** Publishes the articles that are due; answers the write stamp after that. */
export function publishDueArticles (db: Db, now = nowIso()): string {
  const stamp = writeStamp(db)
  const known = nextDueByDb.get(db)
  if (known?.stamp === stamp && (known.next === null || known.next > now)) return stamp
  // A read first: the write (and its lock) only when something is due, so readers are not
  // held up while another process writes (an import from the command line).
  const next = queries.nextScheduledAt(db)
  if (next === null || next > now) {
    nextDueByDb.set(db, { next, stamp })
    return stamp
  }
  // Readers never wait for writers: while another process holds the write lock, the due
  // articles wait (not the reader) and the next read publishes them.
  if (!writeIfFree(db, (tx) => { queries.publishDue(tx, now) })) return stamp
  const published = writeStamp(db)
  nextDueByDb.set(db, { next: queries.nextScheduledAt(db), stamp: published })
  return published
}

/** Forget what is known about schedules: a write may have changed them. */
export function schedulesChanged (db: DbOrTx): void {
  nextDueByDb.delete(db)
}

export type ArticleInclude = (typeof articleIncludes)[number]

function summaryOf (row: queries.ArticleRow, labels: string[]): ArticleSummaryBody {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    status: row.status,
    publishedAt: row.publishedAt,
    date: row.publishedDay,
    authorId: row.authorId,
    labels,
    commentCount: row.commentCount,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
}

export function toArticleSummaries (db: DbOrTx, rows: queries.ArticleRow[]): ArticleSummaryBody[] {
  const labels = queries.labelsByArticle(db, rows.map((row) => row.id))
  return rows.map((row) => summaryOf(row, labels.get(row.id) ?? []))
}

const embeddedCommentsPerArticle = 100

function authorsOf (db: DbOrTx, rows: queries.ArticleRow[], viewer: Principal | null): Map<number, AuthorBody> {
  const ids = [...new Set(rows.map((row) => row.authorId))]
  return new Map(presentAuthors(db, ids, viewer).map((author) => [author.id, author]))
}

/** Summaries with each article's author embedded, as date pages show them. */
export function summariesWithAuthors (db: DbOrTx, rows: queries.ArticleRow[], viewer: Principal | null): ArticleSummaryBody[] {
  const authors = authorsOf(db, rows, viewer)
  return toArticleSummaries(db, rows).map((summary) => {
    const author = authors.get(summary.authorId)
    return author === undefined ? summary : { ...summary, author }
  })
}

/** API objects for rows: labels, and authors when included, fetched for all rows at once. */
function present (db: DbOrTx, rows: queries.ArticleRow[], viewer: Principal | null, include: Set<ArticleInclude>): ArticleBody[] {
  const labels = queries.labelsByArticle(db, rows.map((row) => row.id))
  const authors = include.has('author') ? authorsOf(db, rows, viewer) : null
  const comments = include.has('comments') ? approvedCommentsByArticle(db, rows, viewer, embeddedCommentsPerArticle) : null
  return rows.map((row) => {
    const article: ArticleBody = { ...summaryOf(row, labels.get(row.id) ?? []), body: row.body }
    const author = authors?.get(row.authorId)
    if (author !== undefined) article.author = author
    if (comments !== null) article.comments = comments.get(row.id) ?? []
    return article
  })
}

/** The article, if `viewer` may see it; a 404 otherwise, as if it weren't there. */
export function findVisibleArticle (db: DbOrTx, idOrSlug: string, viewer: Principal | null, now = nowIso()): queries.ArticleRow {
  const row = queries.articleBySlugOrId(db, idOrSlug)
  if (row === undefined || !isVisible(row, visibilityFor(viewer, now))) {
    throw new NotFound(`There is no article "${idOrSlug}"`)
  }
  return row
}

export function parseArticleInclude (raw: string | undefined): Set<ArticleInclude> {
  return parseNames(raw, articleIncludes, 'include')
}

/** An article found for a read, built only when asked: its ETag may show the client's copy is current. */
export interface ArticleRead {
  version: string
  /** Known before the answer is built when nothing is embedded; null otherwise. */
  etag: string | null
  build: () => ArticleBody
}

export function read (db: Db, idOrSlug: string, viewer: Principal | null, query: ArticleQueryString, fields: ReadonlySet<string>): ArticleRead {
  const include = parseArticleInclude(query.include)
  const now = nowIso()
  publishDueArticles(db, now)
  const row = findVisibleArticle(db, idOrSlug, viewer, now)
  const version = articleVersion(row)
  return {
    version,
    // Without embedded resources the answer follows from the row, and every change to the
    // row moves its version except the comment count and the day (a time zone change).
    etag: include.size === 0 ? versionTag(version, [row.commentCount, row.publishedDay, [...fields].sort()]) : null,
    build: () => present(db, [row], viewer, include)[0]!
  }
}

export function findOne (db: Db, idOrSlug: string, viewer: Principal | null, query: ArticleQueryString): { article: ArticleBody, version: string } {
  const found = read(db, idOrSlug, viewer, query, new Set())
  return { article: found.build(), version: found.version }
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/

function listFilters (db: Db, query: ArticleListQueryString, viewer: Principal | null, now: string): queries.ArticleFilters {
  const filters: queries.ArticleFilters = { visibility: visibilityFor(viewer, now) }
  if (query.status !== undefined) filters.status = query.status
  if (query.author !== undefined) {
    const author = authorBySlugOrId(db, query.author)
    if (author === undefined) throw invalid('querystring.author', `"${query.author}" is not an author`)
    filters.authorId = author.id
  }
  if (query.label !== undefined) filters.labelKeys = [...new Set(query.label.map(labelKeyOf))]
  if (query.date !== undefined) filters.day = query.date
  if (query.from !== undefined) {
    if (dayPattern.test(query.from)) filters.fromDay = query.from
    else filters.fromTimestamp = toUtcIso(query.from, 'querystring.from')
  }
  if (query.to !== undefined) {
    if (dayPattern.test(query.to)) filters.toDay = query.to
    else filters.toTimestamp = toUtcIso(query.to, 'querystring.to')
  }
  return filters
}

/**
 * What a list answer follows from: the database as it is once due articles are published.
 * The ETag of the list is made from it before the page is built (plugins/http-cache.ts).
 */
export function listStamp (db: Db): string {
  return publishDueArticles(db)
}

export function list (db: Db, query: ArticleListQueryString, viewer: Principal | null): Page<ArticleBody> {
  const search = query.q === undefined ? undefined : toFtsQuery(query.q, 'querystring.q', (stems) => articleShares(db, stems, commonWordFewestArticles))
  const sort = parseSort(query.sort, articleSortFields, search === undefined ? '-publishedAt' : 'relevance')
  if (search === undefined && sort.some((key) => key.field === 'relevance')) throw invalid('querystring.sort', 'can be relevance only with q')
  const include = parseArticleInclude(query.include)
  const now = nowIso()
  publishDueArticles(db, now)
  const filters = listFilters(db, query, viewer, now)
  if (search !== undefined) filters.search = search
  // Readers see published articles only; an author token also its own drafts (no time yet).
  const columns = queries.sortColumns(sort, filters.visibility.publishedOnly && filters.visibility.alsoAuthorId === null)
  const page = readPage(query, sort, {
    count: (after) => queries.countArticles(db, filters, after === undefined ? undefined : columns, after),
    fetch: (after, limit, offset) => queries.pageOfArticles(db, { filters, columns, after, limit, offset }),
    cursorOf: (row) => [...sort.map((key) => row[key.field]), row.id]
  })
  return mapPage(page, (rows) => withSnippets(db, present(db, rows, viewer, include), search))
}

function withSnippets (db: Db, items: ArticleBody[], search: FtsQuery | undefined): ArticleBody[] {
  if (search === undefined) return items
  const passages = snippets(db, search, items.map((item) => item.id))
  return items.map((item) => ({ ...item, snippet: passages.get(item.id) ?? '' }))
}

/** The article's search row, from what was just written. */
function reindex (tx: DbOrTx, row: queries.ArticleRow, previous?: queries.ArticleRow): void {
  indexArticle(tx, { ...row, labels: queries.labelsByArticle(tx, [row.id]).get(row.id) ?? [] }, { bodyUnchanged: previous?.body === row.body })
}

/** Where an article stands editorially once the clock is taken into account. */
function editorialState (status: ArticleStatus, publishedAt: string | null, now: string): { status: ArticleStatus, publishedAt: string | null } {
  if (status === 'draft') return { status, publishedAt }
  if (status === 'scheduled' && publishedAt === null) throw invalid('body.publishedAt', 'is required to schedule an article')
  const at = publishedAt ?? now
  return { status: at > now ? 'scheduled' : 'published', publishedAt: at }
}

/** The columns that follow from a body, an excerpt (or none) and where the article stands. */
function contentColumns (body: string, custom: string | null, state: { status: ArticleStatus, publishedAt: string | null }, timezone: string): Pick<queries.NewArticleRow, 'body' | 'customExcerpt' | 'excerpt' | 'status' | 'publishedAt' | 'publishedDay'> {
  return {
    body,
    customExcerpt: custom,
    excerpt: custom ?? deriveExcerpt(body),
    status: state.status,
    publishedAt: state.publishedAt,
    publishedDay: state.publishedAt === null ? null : dayInZone(state.publishedAt, timezone)
  }
}

/** How a label filter names a label: trimmed, inner spaces collapsed, case-folded (feeds use it too). */
export function labelKeyOf (name: string): string {
  return queries.labelKey(normalLabel(name))
}

function normalLabel (name: string): string {
  return name.trim().replace(/\s+/g, ' ')
}

/** Trimmed label names, the first spelling of each kept. */
function normalLabels (names: string[]): string[] {
  const byKey = new Map<string, string>()
  for (const name of names.map(normalLabel)) {
    if (!byKey.has(queries.labelKey(name))) byKey.set(queries.labelKey(name), name)
  }
  return [...byKey.values()]
}

function bodyHtml (input: { body?: string, markdown?: string }): string | undefined {
  if (input.body !== undefined && input.markdown !== undefined) throw invalid('body.markdown', 'cannot be given together with body')
  if (input.markdown !== undefined) return renderMarkdown(input.markdown)
  if (input.body !== undefined) return sanitizeArticleHtml(input.body)
  return undefined
}

function customExcerpt (excerpt: string | null | undefined): string | null {
  const text = excerpt === null || excerpt === undefined ? undefined : withoutControls(excerpt).replace(/\s+/g, ' ').trim()
  return text === undefined || text === '' ? null : text
}

/** Taken by another article, live or in the trash (a restore must find its slug free). */
function slugTaken (db: DbOrTx, slug: string, exceptId?: number): boolean {
  return queries.articleSlugTaken(db, slug, exceptId) || slugInTrash(db, slug, nowIso())
}

function resolveSlug (db: DbOrTx, requested: string | undefined, title: string, exceptId?: number): string {
  if (requested !== undefined) return requestedSlug(requested, (candidate) => slugTaken(db, candidate, exceptId))
  return uniqueSlug(slugify(title, 'article'), (candidate) => slugTaken(db, candidate, exceptId))
}

function assertAuthorExists (db: DbOrTx, authorId: number): void {
  if (authorById(db, authorId) === undefined) throw invalid('body.authorId', `${authorId} is not an author`)
}

/** The author an article is written as: an author token writes as its own author only. */
function authorFor (db: DbOrTx, requested: number | undefined, viewer: Principal): number {
  if (viewer.role === 'author') {
    if (requested !== undefined && requested !== viewer.authorId) throw new Forbidden('An author token may write only its own articles')
    return viewer.authorId!
  }
  if (requested === undefined) throw invalid('body.authorId', 'is required')
  assertAuthorExists(db, requested)
  return requested
}

// Authors write drafts; publishing (or scheduling) is an editor's call.
function assertMayPublish (viewer: Principal, status: ArticleStatus | undefined): void {
  if (viewer.role === 'author' && status !== undefined && status !== 'draft') {
    throw new Forbidden('An author token may not publish or schedule; an editor does that')
  }
}

function assertMayChange (viewer: Principal, row: queries.ArticleRow): void {
  if (viewer.role !== 'author') return
  if (row.authorId !== viewer.authorId) throw new Forbidden('An author token may change only its own articles')
  if (row.status !== 'draft') throw new Forbidden('This article is published or scheduled: only an editor can change it now')
}

export function createOne (db: Db, settings: Pick<SiteSettings, 'timezone'>, input: NewArticleBody, viewer: Principal): { article: ArticleBody, version: string } {
  assertMayPublish(viewer, input.status)
  const result = db.transaction((tx) => {
    const now = nowIso()
    const authorId = authorFor(tx, input.authorId, viewer)
    const body = bodyHtml(input) ?? ''
    const custom = customExcerpt(input.excerpt)
    const state = editorialState(input.status ?? 'draft', input.publishedAt == null ? null : toUtcIso(input.publishedAt, 'body.publishedAt'), now)
    const row = queries.insertArticle(tx, {
      slug: resolveSlug(tx, input.slug, input.title),
      title: input.title.trim(),
      ...contentColumns(body, custom, state, settings.timezone),
      authorId,
      createdAt: now,
      updatedAt: now
    })
    queries.replaceLabels(tx, row.id, normalLabels(input.labels ?? []))
    reindex(tx, row)
    return { article: present(tx, [row], viewer, new Set())[0]!, version: articleVersion(row) }
  })
  schedulesChanged(db)
  return result
}

function changedValues (tx: DbOrTx, settings: SiteSettings, current: queries.ArticleRow, patch: ArticlePatchBody, viewer: Principal, now: string): Partial<queries.NewArticleRow> {
  const values: Partial<queries.NewArticleRow> = { updatedAt: now }
  if (patch.title !== undefined) values.title = patch.title.trim()
  if (patch.slug !== undefined && patch.slug !== current.slug) values.slug = resolveSlug(tx, patch.slug, current.title, current.id)
  if (patch.authorId !== undefined && patch.authorId !== current.authorId) values.authorId = authorFor(tx, patch.authorId, viewer)

  const body = bodyHtml(patch)
  if (body !== undefined) values.body = body
  const custom = patch.excerpt === undefined ? current.customExcerpt : customExcerpt(patch.excerpt)
  if (body !== undefined || patch.excerpt !== undefined) {
    values.customExcerpt = custom
    values.excerpt = custom ?? deriveExcerpt(body ?? current.body)
  }

  if (patch.status !== undefined || patch.publishedAt !== undefined) {
    const publishedAt = patch.publishedAt === undefined ? current.publishedAt : patch.publishedAt === null ? null : toUtcIso(patch.publishedAt, 'body.publishedAt')
    const state = editorialState(patch.status ?? current.status, publishedAt, now)
    values.status = state.status
    values.publishedAt = state.publishedAt
    values.publishedDay = state.publishedAt === null ? null : dayInZone(state.publishedAt, settings.timezone)
  }
  return values
}

export function updateOne (db: Db, settings: SiteSettings, idOrSlug: string, patch: ArticlePatchBody, viewer: Principal, ifMatch: string | undefined): { article: ArticleBody, version: string } {
  const result = db.transaction((tx) => {
    const current = findVisibleArticle(tx, idOrSlug, viewer)
    assertMayChange(viewer, current)
    assertMayPublish(viewer, patch.status)
    assertIfMatch(ifMatch, articleVersion(current))
    const now = nowIso()
    keepRevision(tx, current, queries.labelsByArticle(tx, [current.id]).get(current.id) ?? [], viewer, now, settings.revisionsKept)
    const row = queries.updateArticle(tx, current.id, changedValues(tx, settings, current, patch, viewer, now))
    if (patch.labels !== undefined) queries.replaceLabels(tx, row.id, normalLabels(patch.labels))
    // Rewriting the search rows is most of an edit's cost: only when the words can have changed.
    if (patch.labels !== undefined || row.title !== current.title || row.excerpt !== current.excerpt || row.body !== current.body) reindex(tx, row, current)
    return { article: present(tx, [row], viewer, new Set())[0]!, version: articleVersion(row) }
  })
  schedulesChanged(db)
  return result
}

/**
 * Makes an earlier revision the article's content again: an update like any other (so the
 * version it replaces is kept as a revision too, and `If-Match` guards it).
 */
export function restoreRevision (db: Db, settings: SiteSettings, idOrSlug: string, number: number, viewer: Principal, ifMatch: string | undefined): { article: ArticleBody, version: string } {
  const current = findVisibleArticle(db, idOrSlug, viewer)
  assertMayReadHistory(viewer, current)
  const revision = revisionOf(db, current, number)
  return updateOne(db, settings, String(current.id), {
    title: revision.title,
    body: revision.body,
    excerpt: revision.excerpt,
    status: revision.status,
    publishedAt: revision.publishedAt,
    labels: revision.labels
  }, viewer, ifMatch)
}

/** Deleting moves the article to the trash (for `settings.trashDays`), from where it can be restored. */
export function removeOne (db: Db, settings: Pick<SiteSettings, 'trashDays'>, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): void {
  db.transaction((tx) => {
    const current = findVisibleArticle(tx, idOrSlug, viewer)
    assertMayChange(viewer, current)
    assertIfMatch(ifMatch, articleVersion(current))
    trashArticle(tx, current, viewer, nowIso(), settings.trashDays)
  })
  schedulesChanged(db)
}

/** Brings an article back from the trash and answers it as a read would. */
export function restoreFromTrash (db: Db, settings: Pick<SiteSettings, 'timezone'>, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): { article: ArticleBody, version: string, renumberedComments: Renumbered[] } {
  const { id, renumberedComments } = restoreTrashed(db, settings.timezone, idOrSlug, viewer, ifMatch)
  // It may come back scheduled, or with its time since passed.
  schedulesChanged(db)
  publishDueArticles(db)
  return { ...findOne(db, String(id), viewer, {}), renumberedComments }
}

/**
 * Days are stored with each article for fast day pages. When the site's time zone
 * setting changes, every stored day is recomputed in it, in one transaction.
 */
export function alignDaysToTimezone (db: Db, timezone: string): void {
  db.transaction((tx) => {
    const storedIn = readMeta(tx, 'timezone')
    if (storedIn === timezone) return
    if (storedIn !== undefined) {
      for (const { id, publishedAt } of queries.publishedTimes(tx)) queries.setPublishedDay(tx, id, dayInZone(publishedAt, timezone))
    }
    writeMeta(tx, 'timezone', timezone)
  })
}

// Words that say nothing about what an article is about.
const stopWords = new Set(['about', 'after', 'also', 'been', 'from', 'have', 'into', 'more', 'over', 'said', 'says', 'than', 'that', 'their', 'them', 'then', 'there', 'they', 'this', 'were', 'what', 'when', 'which', 'will', 'with', 'would', 'your'])

/** The words an article is about: its title's and labels' longer words. */
function distinctiveTerms (title: string, labels: string[]): string[] {
  const words = `${title} ${labels.join(' ')}`.toLocaleLowerCase('en-US').match(/[\p{L}\p{N}]{4,}/gu) ?? []
  return [...new Set(words.filter((word) => !stopWords.has(word)))].slice(0, 16)
}

/**
 * Articles like this one: the more labels shared the closer; text similarity orders
 * those sharing as many, and finds related stories without labels. Never the article itself.
 */
export function related (db: Db, idOrSlug: string, viewer: Principal | null, limit: number): Page<ArticleSummaryBody> {
  publishDueArticles(db)
  const article = findVisibleArticle(db, idOrSlug, viewer)
  const now = nowIso()
  const labels = queries.labelsByArticle(db, [article.id]).get(article.id) ?? []
  const candidates = 50
  const shared = queries.sharedLabelCounts(db, article.id, now, candidates)
  const similar = similarArticles(db, distinctiveTerms(article.title, labels), article.id, now, candidates)
  const ids = [...new Set([...shared.keys(), ...similar.keys()])]
    .sort((a, b) => (shared.get(b) ?? 0) - (shared.get(a) ?? 0) || (similar.get(b) ?? 0) - (similar.get(a) ?? 0) || b - a)
    .slice(0, limit)
  const items = summariesWithAuthors(db, queries.articlesByIds(db, ids), viewer)
  return { items, total: items.length, limit, offset: 0, nextCursor: null }
}

/** Up to 10 titles completing what a reader is typing into a search box. */
export function suggest (db: Db, typed: string): Array<{ id: number, slug: string, title: string }> {
  publishDueArticles(db)
  return titleSuggestions(db, toFtsQuery(typed), nowIso(), 10)
}

/** An article as an import brings it, in our terms (see src/resources/import/). */
export interface ImportedArticleValues {
  title: string
  /** The slug the source used; made unique, or derived from the title when null. */
  slug: string | null
  /** HTML from the source, sanitised here like any other body. */
  body: string
  excerpt: string | null
  status: ArticleStatus
  publishedAt: string | null
  createdAt: string
  updatedAt: string
  labels: string[]
  authorId: number
  /** Our id to give a new article when it is free (a round trip of our own export). */
  preferredId?: number
}

/** A title for an untitled source post: its first words, as a reader would refer to it. */
function titleFromBody (body: string): string {
  const words = htmlToText(body).split(/\s+/).filter((word) => word !== '').slice(0, 8)
  return words.length === 0 ? 'Untitled' : words.join(' ') + '…'
}

/**
 * Creates an imported article, or rewrites `existing` with what the source now says: the
 * API's rules (sanitising, excerpt, status by the clock, labels, search index), the
 * source's own times. Runs inside the import's transaction.
 */
export function writeImportedArticle (tx: DbOrTx, settings: Pick<SiteSettings, 'timezone'>, input: ImportedArticleValues, existing: queries.ArticleRow | undefined, now: string, search: SearchIndexBatch): queries.ArticleRow {
  const body = sanitizeArticleHtml(input.body)
  const title = singleLine(input.title, 300) || titleFromBody(body)
  const custom = customExcerpt(input.excerpt)
  const state = editorialState(input.status, input.publishedAt, now)
  const values = { title, ...contentColumns(body, custom, state, settings.timezone), authorId: input.authorId, updatedAt: input.updatedAt }
  const row = existing === undefined
    ? queries.insertArticle(tx, {
      ...values,
      ...(input.preferredId !== undefined && queries.articleById(tx, input.preferredId) === undefined ? { id: input.preferredId } : {}),
      slug: uniqueSlug(slugify(input.slug ?? title, 'article'), (candidate) => slugTaken(tx, candidate)),
      createdAt: input.createdAt
    })
    : queries.updateArticle(tx, existing.id, values)
  // Every label, beyond the API's limit per request too: a migration must not lose data.
  const labels = normalLabels(input.labels.map((name) => singleLine(name, 60)).filter((name) => name !== ''))
  queries.replaceLabels(tx, row.id, labels)
  search.add({ ...row, labels })
  return row
}
