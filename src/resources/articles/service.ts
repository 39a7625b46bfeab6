import { metaQueries } from '../../db/meta.js'
import type { ArticleStatus } from '../../db/schema.js'
import { UntilNextWrite, type Store } from '../../db/store.js'
import { Forbidden, invalid, NotFound } from '../../errors.js'
import { deriveExcerpt, excerptOfText, htmlToText, renderMarkdown, sanitizeArticleHtml } from '../../lib/html.js'
import { mapPage, parseNames, parseSort, readPage, type Page } from '../../lib/list.js'
import { isIdInPath, requestedSlug, slugify, uniqueSlug } from '../../lib/slug.js'
import { labelKey, singleLine, withoutControls } from '../../lib/values.js'
import { dayInZone, nowIso, toUtcIso } from '../../lib/time.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { assertIfMatch, versionTag } from '../../lib/entity-tags.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { authorQueries } from '../authors/queries.js'
import type { AuthorBody } from '../authors/schemas.js'
import { presentAuthors } from '../authors/presenter.js'
import { approvedCommentsByArticle } from '../comments/presenter.js'
import { replaceCorrections } from '../corrections/carried.js'
import { correctedAtOf, correctionsOfArticles } from '../corrections/presenter.js'
import { maxCorrectionsPerArticle } from '../corrections/schemas.js'
import type { ImportedCorrection } from '../import/records.js'
import { articleShares, indexArticle, snippets, type SearchIndexBatch } from '../../search/index.js'
import { searchQueries, type TitleSuggestion } from '../../search/queries.js'
import { commonWordFewestArticles, rankedMatchLimit, similarCandidates, stemsToWeigh, toFtsQuery, type FtsQuery } from '../../search/query.js'
import { assertMayReadHistory, findOne as revisionOf, keepRevision } from '../revisions/service.js'
import { imageStill, noSeo, presentSeo, seoValuesOf, writeSeo } from '../seo/service.js'
import type { Renumbered } from '../trash/queries.js'
import { restore as restoreTrashed, trashArticle } from '../trash/service.js'
import { noteLabelTurnover } from '../labels/changes.js'
import { ensureLabels, labelKeyFor } from '../labels/links.js'
import { coAuthorsOf, mayWriteByline } from './byline.js'
import { articleFields, changedFields, isPublic, noteArticleChange } from './changes.js'
import { summaryOf, toArticleSummaries } from './summaries.js'
import { assertAttachable, featuredImages, noteInlineImages } from '../media/service.js'
import { mediaQueries } from '../media/queries.js'
import { articleQueries, type ArticleFilters, type ArticleRow, type LabelledArticleRow, type LabelTurnover, type NewArticleRow } from './queries.js'
import { keepOldSlug, keepOldSlugs, slugTaken } from './slugs.js'
import {
  articleIncludes, articleSortFields,
  type ArticleBody, type ArticleListQueryString, type ArticlePatchBody, type ArticleQueryString,
  type ArticleSummaryBody, type NewArticleBody
} from './schemas.js'
import { currentView, schedulesChanged, viewInUnit, type View } from './view.js'
import { isVisible, type Visibility } from './visibility.js'

/** The version an article's ETag carries, for `If-Match`. */
export function articleVersion (row: ArticleRow): string {
  return `article-${row.id}-v${row.version}`
}

/** What `viewer` may see of the articles at `now` (the rule itself is in visibility.ts). */
export function visibilityFor (viewer: Principal | null, now: string): Visibility {
  if (hasRole(viewer, 'editor')) return { publishedOnly: false, alsoAuthorId: null, now }
  return { publishedOnly: true, alsoAuthorId: viewer?.authorId ?? null, now }
}

export type ArticleInclude = (typeof articleIncludes)[number]

const embeddedCommentsPerArticle = 100

async function authorsOf (store: Store, rows: ArticleRow[], viewer: Principal | null, view: View, coAuthors?: Map<number, number[]>): Promise<Map<number, AuthorBody>> {
  const ids = [...new Set(rows.flatMap((row) => [row.authorId, ...(coAuthors?.get(row.id) ?? [])]))]
  return new Map((await presentAuthors(store, ids, viewer, view)).map((author) => [author.id, author]))
}

/** Summaries with each article's author embedded, as date pages show them. */
export async function summariesWithAuthors (store: Store, rows: ArticleRow[], viewer: Principal | null, view: View): Promise<ArticleSummaryBody[]> {
  const authors = await authorsOf(store, rows, viewer, view)
  return (await toArticleSummaries(store, rows)).map((summary) => {
    const author = authors.get(summary.authorId)
    return author === undefined ? summary : { ...summary, author }
  })
}

/**
 * API objects for rows: labels (unless read with them), and authors when included, fetched for
 * all rows at once.
 */
async function present (store: Store, rows: ArticleRow[], viewer: Principal | null, include: Set<ArticleInclude>, view: View, knownLabels?: Map<number, string[]>): Promise<ArticleBody[]> {
  const labels = knownLabels ?? await articleQueries(store).labelsByArticle(rows.map((row) => row.id))
  const images = await featuredImages(store, rows.map((row) => row.id))
  const coAuthors = await articleQueries(store).coAuthorsByArticle(rows.map((row) => row.id))
  const authors = include.has('author') || include.has('authors') ? await authorsOf(store, rows, viewer, view, include.has('authors') ? coAuthors : undefined) : null
  const comments = include.has('comments') ? await approvedCommentsByArticle(store, rows, viewer, embeddedCommentsPerArticle) : null
  const corrections = await correctionsOfArticles(store, rows.map((row) => row.id))
  const seo = await presentSeo(store, 'article', rows.map((row) => row.id))
  return rows.map((row) => {
    const corrected = corrections.get(row.id) ?? []
    const article: ArticleBody = { ...summaryOf(row, labels.get(row.id) ?? [], images.get(row.id) ?? null, correctedAtOf(corrected), coAuthors.get(row.id) ?? []), body: row.body, corrections: corrected, seo: seo.get(row.id)! }
    const author = include.has('author') ? authors?.get(row.authorId) : undefined
    if (author !== undefined) article.author = author
    if (authors !== null && include.has('authors')) article.authors = article.authorIds.flatMap((id) => authors.get(id) ?? [])
    if (comments !== null) article.comments = comments.get(row.id) ?? []
    return article
  })
}

/** The article, if `viewer` may see it; a 404 otherwise, as if it weren't there. */
export async function findVisibleArticle (store: Store, idOrSlug: string, viewer: Principal | null, now = nowIso()): Promise<ArticleRow> {
  return await visibleOrNotFound(store, await articleQueries(store).articleBySlugOrId(idOrSlug), idOrSlug, viewer, now)
}

/** The same, in a unit that changes the article: it stays locked until `tx` ends (no lost update). */
export async function findVisibleArticleForUpdate (tx: Store, idOrSlug: string, viewer: Principal | null): Promise<ArticleRow> {
  return await visibleOrNotFound(tx, await articleQueries(tx).articleBySlugOrIdForUpdate(idOrSlug), idOrSlug, viewer, nowIso())
}

/**
 * The article `viewer` may change, locked until `tx` ends: a 404 when they may not see it, a
 * 403 when they see it but may not change it (what other resources tied to editing ask too).
 */
export async function findArticleToChange (tx: Store, idOrSlug: string, viewer: Principal): Promise<ArticleRow> {
  const row = await findVisibleArticleForUpdate(tx, idOrSlug, viewer)
  assertMayChange(viewer, row, await coAuthorsOf(tx, row))
  return row
}

/**
 * Whether `viewer` may see one row in hand. Its co-authors are read only when they can
 * decide it: an author token, and a row it would not see otherwise.
 */
async function mayView (store: Store, row: ArticleRow, viewer: Principal | null, now: string): Promise<boolean> {
  const visibility = visibilityFor(viewer, now)
  if (isVisible(row, visibility)) return true
  return visibility.alsoAuthorId !== null && isVisible(row, visibility, await coAuthorsOf(store, row))
}

async function visibleOrNotFound<Row extends ArticleRow> (store: Store, row: Row | undefined, idOrSlug: string, viewer: Principal | null, now: string): Promise<Row> {
  if (row === undefined || !await mayView(store, row, viewer, now)) {
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
  build: () => Promise<ArticleBody>
}

/** Scheduled and its time has come, or up and its time is up: a read must publish it or take it down first (view.ts). */
function isDue (row: ArticleRow, now: string): boolean {
  if (row.status === 'scheduled' && row.publishedAt !== null && row.publishedAt <= now) return true
  return row.status !== 'draft' && row.unpublishAt !== null && row.unpublishAt <= now
}

/**
 * The article a read answers with, and the view it is read at. Taking the view costs a
 * statement (the write stamp) that one article without embeds needs only when that article
 * is due to be published: its answer and ETag follow from its own row, and nothing is kept
 * against the stamp (issue 19: a third of the statements of a read by id).
 */
async function articleToRead (store: Store, idOrSlug: string, viewer: Principal | null, embeds: boolean, previewOf: number | null): Promise<{ row: LabelledArticleRow, view: View }> {
  const now = nowIso()
  const queries = articleQueries(store)
  if (!embeds) {
    const row = await queries.labelledArticleBySlugOrId(idOrSlug)
    if (row === undefined || !isDue(row, now)) return { row: await readableOrNotFound(store, row, idOrSlug, viewer, now, previewOf), view: { now, stamp: null } }
  }
  const view = await currentView(store, now)
  return { row: await readableOrNotFound(store, await queries.labelledArticleBySlugOrId(idOrSlug), idOrSlug, viewer, view.now, previewOf), view }
}

/** `visibleOrNotFound`, letting through the one article a preview link reads (`previewOf`), whatever its status. */
async function readableOrNotFound<Row extends ArticleRow> (store: Store, row: Row | undefined, idOrSlug: string, viewer: Principal | null, now: string, previewOf: number | null): Promise<Row> {
  if (row !== undefined && row.id === previewOf) return row
  return await visibleOrNotFound(store, row, idOrSlug, viewer, now)
}

/** A read by a slug the article had before a rename: its slug now. */
export interface ArticleMoved {
  movedTo: string
}

/**
 * The article that had `slug` before a rename, when the viewer may see it (a reader never
 * learns where a draft went); null otherwise.
 */
export async function formerlyNamed (store: Store, slug: string, viewer: Principal | null): Promise<ArticleRow | null> {
  if (isIdInPath(slug)) return null
  const queries = articleQueries(store)
  const id = await queries.articleIdByOldSlug(slug)
  const row = id === undefined ? undefined : await queries.articleById(id)
  return row !== undefined && await mayView(store, row, viewer, nowIso()) ? row : null
}

async function movedArticleSlug (store: Store, slug: string, viewer: Principal | null): Promise<string | null> {
  return (await formerlyNamed(store, slug, viewer))?.slug ?? null
}

/**
 * The article an id or slug names now, as the viewer may see it: its row, `hidden` when it
 * is not theirs to see (a draft, to a reader), undefined when no article has it. A scheduled
 * article whose time has come is published first, as for a read.
 */
export async function articleNamed (store: Store, idOrSlug: string, viewer: Principal | null): Promise<ArticleRow | 'hidden' | undefined> {
  const now = nowIso()
  const queries = articleQueries(store)
  let row = await queries.articleBySlugOrId(idOrSlug)
  if (row !== undefined && isDue(row, now)) {
    await currentView(store, now)
    row = await queries.articleBySlugOrId(idOrSlug)
  }
  if (row === undefined) return undefined
  return await mayView(store, row, viewer, now) ? row : 'hidden'
}

/**
 * `previewOf`: the article a preview link's token may read (its latest version, whatever its
 * status), by id or its slug now; the token's bearer is an anonymous `viewer` for the rest.
 */
export async function read (store: Store, idOrSlug: string, viewer: Principal | null, query: ArticleQueryString, fields: ReadonlySet<string>, previewOf: number | null = null): Promise<ArticleRead | ArticleMoved> {
  const include = parseArticleInclude(query.include)
  let found: Awaited<ReturnType<typeof articleToRead>>
  try {
    found = await articleToRead(store, idOrSlug, viewer, include.size > 0, previewOf)
  } catch (error) {
    const movedTo = error instanceof NotFound ? await movedArticleSlug(store, idOrSlug, viewer) : null
    if (movedTo !== null) return { movedTo }
    throw error
  }
  const { row, view } = found
  const version = articleVersion(row)
  return {
    version,
    // Without embedded resources the answer follows from the row, and every change to the
    // row moves its version except the comment count and the day (a time zone change).
    etag: include.size === 0 ? versionTag(version, [row.commentCount, row.publishedDay, [...fields].sort()]) : null,
    build: async () => (await present(store, [row], viewer, include, view, new Map([[row.id, row.labels]])))[0]!
  }
}

export async function findOne (store: Store, idOrSlug: string, viewer: Principal | null, query: ArticleQueryString): Promise<{ article: ArticleBody, version: string }> {
  const found = await read(store, idOrSlug, viewer, query, new Set())
  if ('movedTo' in found) throw new NotFound(`There is no article "${idOrSlug}"`)
  return { article: await found.build(), version: found.version }
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/

async function listFilters (store: Store, query: ArticleListQueryString, viewer: Principal | null, now: string): Promise<ArticleFilters> {
  const filters: ArticleFilters = { visibility: visibilityFor(viewer, now) }
  if (query.status !== undefined) filters.status = query.status
  if (query.author !== undefined) {
    const author = await authorQueries(store).authorBySlugOrId(query.author)
    if (author === undefined) throw invalid('querystring.author', `"${query.author}" is not an author`)
    filters.authorId = author.id
  }
  if (query.label !== undefined) filters.labelKeys = await labelFilterKeys(store, query.label)
  if (query.corrected !== undefined) filters.corrected = query.corrected
  if (query.date !== undefined) filters.day = query.date
  if (query.unpublishing === true) filters.unpublishing = true
  if (query.noindex !== undefined) filters.noindex = query.noindex
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

/** A reader's search, leaving out the words most articles hold (their shares are read first). */
async function searchOf (store: Store, q: string, view: View, rankedMatchLimit: number): Promise<FtsQuery> {
  const shares = await articleShares(store, view.stamp, stemsToWeigh(q, 'querystring.q'), commonWordFewestArticles)
  return { ...toFtsQuery(q, 'querystring.q', () => shares), rankedMatchLimit }
}

/**
 * Totals of recent list filters, until the next write: counting every match grows with the
 * table (84 ms at a million articles on SQLite), and lists ask for it on every page.
 */
const totals = new UntilNextWrite<number>()

async function countAll (store: Store, filters: ArticleFilters, view: View): Promise<number> {
  // `now` is left out: what it hides (scheduled articles) changes only by a write that publishes them.
  const key = JSON.stringify({ ...filters, visibility: { ...filters.visibility, now: undefined } })
  return await totals.get(store, view.stamp, key, async () => await articleQueries(store).countArticles(filters))
}

/** The view a list is read at; routes take it first when its ETag may answer 304 (view.ts). */
export { currentView }

/**
 * `view`: the one the list's ETag was made from (`currentView`), so the two agree.
 * `settings.rankedMatchLimit`: how many of a search's matches are ranked (src/search/query.ts).
 */
export async function list (store: Store, query: ArticleListQueryString, viewer: Principal | null, view: View, settings: Pick<SiteSettings, 'rankedMatchLimit'> = {}): Promise<Page<ArticleBody>> {
  const search = query.q === undefined ? undefined : await searchOf(store, query.q, view, settings.rankedMatchLimit ?? rankedMatchLimit)
  const sort = parseSort(query.sort, articleSortFields, search === undefined ? '-publishedAt' : 'relevance')
  if (search === undefined && sort.some((key) => key.field === 'relevance')) throw invalid('querystring.sort', 'can be relevance only with q')
  const include = parseArticleInclude(query.include)
  const filters = await listFilters(store, query, viewer, view.now)
  if (search !== undefined) filters.search = search
  const articles = articleQueries(store)
  const page = await readPage(query, sort, {
    count: async (after) => after === undefined ? await countAll(store, filters, view) : await articles.countArticles(filters, sort, after),
    fetch: async (after, limit, offset) => await articles.pageOfArticles({ filters, sort, after, limit, offset }),
    cursorOf: (row) => [...sort.map((key) => row[key.field]), row.id]
  })
  return await mapPage(page, async (rows) => await withSnippets(store, await present(store, rows, viewer, include, view), search))
}

async function withSnippets (store: Store, items: ArticleBody[], search: FtsQuery | undefined): Promise<ArticleBody[]> {
  if (search === undefined) return items
  const passages = await snippets(store, search, items.map((item) => item.id))
  return items.map((item) => ({ ...item, snippet: passages.get(item.id) ?? '' }))
}

/**
 * Rewrites the search rows of articles whose labels were renamed or taken away (labels are
 * searched with the article): their bodies are as they were.
 */
export async function reindexRelabelled (tx: Store, ids: number[]): Promise<void> {
  if (ids.length === 0) return
  const articles = articleQueries(tx)
  const labels = await articles.labelsByArticle(ids)
  for (const row of await articles.articlesByIds(ids)) await indexArticle(tx, { ...row, labels: labels.get(row.id) ?? [] }, { bodyUnchanged: true })
}

/** The article's search row, from what was just written. */
async function reindex (tx: Store, row: ArticleRow, previous?: ArticleRow): Promise<void> {
  const labels = (await articleQueries(tx).labelsByArticle([row.id])).get(row.id) ?? []
  await indexArticle(tx, { ...row, labels }, { bodyUnchanged: previous?.body === row.body })
}

/** Where an article stands editorially once the clock is taken into account. */
function editorialState (status: ArticleStatus, publishedAt: string | null, now: string): { status: ArticleStatus, publishedAt: string | null } {
  if (status === 'draft') return { status, publishedAt }
  if (status === 'scheduled' && publishedAt === null) throw invalid('body.publishedAt', 'is required to schedule an article')
  const at = publishedAt ?? now
  return { status: at > now ? 'scheduled' : 'published', publishedAt: at }
}

/**
 * The `unpublishAt` an article may have in `state`: for one that is up or going up, a time
 * still to come and after it goes up (one already past would be a draft now); a draft keeps
 * whatever it has, which counts only once it is published again.
 */
function checkedUnpublishAt (state: { status: ArticleStatus, publishedAt: string | null }, unpublishAt: string | null, now: string): string | null {
  if (unpublishAt === null || state.status === 'draft') return unpublishAt
  if (unpublishAt <= now) throw invalid('body.unpublishAt', `must be in the future (it is ${unpublishAt}): to take an article down now, make it a draft`)
  if (state.publishedAt !== null && unpublishAt <= state.publishedAt) throw invalid('body.unpublishAt', `must be after publishedAt (${state.publishedAt})`)
  return unpublishAt
}

function requestedUnpublishAt (value: string | null | undefined): string | null | undefined {
  return value == null ? value : toUtcIso(value, 'body.unpublishAt')
}

/** The columns that follow from a body, an excerpt (or none) and where the article stands. */
function contentColumns (body: string, custom: string | null, state: { status: ArticleStatus, publishedAt: string | null }, timezone: string, text?: string): Pick<NewArticleRow, 'body' | 'customExcerpt' | 'excerpt' | 'status' | 'publishedAt' | 'publishedDay'> {
  return {
    body,
    customExcerpt: custom,
    excerpt: custom ?? (text === undefined ? deriveExcerpt(body) : excerptOfText(text)),
    status: state.status,
    publishedAt: state.publishedAt,
    publishedDay: state.publishedAt === null ? null : dayInZone(state.publishedAt, timezone)
  }
}

/** How a label filter names a label: trimmed, inner spaces collapsed, case-folded (feeds use it too). */
export function labelKeyOf (name: string): string {
  return labelKey(normalLabel(name))
}

/** A label name as it is stored: trimmed, inner spaces collapsed. */
export function normalLabel (name: string): string {
  return name.trim().replace(/\s+/g, ' ')
}

/**
 * The labels a `label` filter names, as case-folded names: each value a label's name (case
 * aside) or else its slug (feeds filter alike).
 */
export async function labelFilterKeys (store: Store, values: string[]): Promise<string[]> {
  const keys = new Set<string>()
  for (const value of values) keys.add(await labelKeyFor(store, value, labelKeyOf(value)))
  return [...keys]
}

/** Sets an article's labels: those new to the blog are made first, each with a slug of its own. */
async function setLabels (tx: Store, articleId: number, names: string[]): Promise<LabelTurnover> {
  const created = await ensureLabels(tx, names)
  return { created, deleted: await articleQueries(tx).replaceLabels(articleId, names) }
}

/** Trimmed label names, the first spelling of each kept. */
function normalLabels (names: string[]): string[] {
  const byKey = new Map<string, string>()
  for (const name of names.map(normalLabel)) {
    if (!byKey.has(labelKey(name))) byKey.set(labelKey(name), name)
  }
  return [...byKey.values()]
}

/** The HTML a write gives (articles', pages'): `body` sanitised, or `markdown` rendered; a 400 for both. */
export function bodyHtml (input: { body?: string, markdown?: string }): string | undefined {
  if (input.body !== undefined && input.markdown !== undefined) throw invalid('body.markdown', 'cannot be given together with body')
  if (input.markdown !== undefined) return renderMarkdown(input.markdown)
  if (input.body !== undefined) return sanitizeArticleHtml(input.body)
  return undefined
}

/** An editor's own excerpt as kept: one line of plain text; null (derive one from the body) for none or blank. */
export function customExcerpt (excerpt: string | null | undefined): string | null {
  const text = excerpt === null || excerpt === undefined ? undefined : withoutControls(excerpt).replace(/\s+/g, ' ').trim()
  return text === undefined || text === '' ? null : text
}


async function resolveSlug (store: Store, requested: string | undefined, title: string, exceptId?: number): Promise<string> {
  const isTaken = async (candidate: string): Promise<boolean> => await slugTaken(store, candidate, exceptId)
  if (requested !== undefined) return await requestedSlug(requested, isTaken)
  return await uniqueSlug(slugify(title, 'article'), isTaken)
}

/** A byline: the primary author, then the co-authors in order. */
interface Byline {
  primary: number
  coAuthors: number[]
}

function sameByline (a: Byline, b: Byline): boolean {
  return a.primary === b.primary && a.coAuthors.join() === b.coAuthors.join()
}

/**
 * The byline a write asks for; undefined when it names none. `authorIds` is the whole byline;
 * `authorId` alone names the primary: on a new article a byline of one, on an edit the
 * primary in front of the co-authors the article has (less the new primary), so a client that
 * knows nothing of co-authors never drops them by sending `authorId` back.
 */
function requestedByline (input: { authorId?: number, authorIds?: number[] }, current: Byline | undefined): Byline | undefined {
  const { authorId, authorIds } = input
  if (authorIds !== undefined) {
    if (authorId !== undefined && authorId !== authorIds[0]) throw invalid('body.authorIds', `must start with authorId (${authorId}), the primary author`)
    if (new Set(authorIds).size !== authorIds.length) throw invalid('body.authorIds', 'names an author more than once')
    return { primary: authorIds[0]!, coAuthors: authorIds.slice(1) }
  }
  if (authorId === undefined) return undefined
  return { primary: authorId, coAuthors: current?.coAuthors.filter((id) => id !== authorId) ?? [] }
}

/** Every author a byline names that `current` did not exists (at most `maxBylineLength` look-ups). */
async function assertBylineExists (store: Store, byline: Byline, current: Byline | undefined, field: string): Promise<void> {
  const known = new Set(current === undefined ? [] : [current.primary, ...current.coAuthors])
  for (const id of [byline.primary, ...byline.coAuthors]) {
    if (!known.has(id) && await authorQueries(store).authorById(id) === undefined) throw invalid(field, `${id} is not an author`)
  }
}

/**
 * Who may set a byline: editors any; an author token only its own, as its primary author (the
 * co-authors it adds get the draft's rights too). An author token that co-authors an article
 * edits it but does not change who is on it.
 */
function assertMayWriteByline (viewer: Principal, byline: Byline, current: Byline | undefined): void {
  if (viewer.role !== 'author') return
  if (current !== undefined && !mayWriteByline(viewer, current.primary)) throw new Forbidden('Only an editor or the primary author changes a byline')
  if (byline.primary !== viewer.authorId) throw new Forbidden('An author token may write only its own articles (it leads their byline)')
}

/** The byline of a new article: an author token's own unless it names one; editors name one. */
async function bylineForNew (store: Store, input: NewArticleBody, viewer: Principal): Promise<Byline> {
  const byline = requestedByline(input, undefined)
  if (byline === undefined) {
    if (viewer.role === 'author') return { primary: viewer.authorId!, coAuthors: [] }
    throw invalid('body.authorId', 'is required')
  }
  assertMayWriteByline(viewer, byline, undefined)
  await assertBylineExists(store, byline, undefined, input.authorIds === undefined ? 'body.authorId' : 'body.authorIds')
  return byline
}

/** The byline an edit asks for, checked; undefined when it leaves the byline as it is. */
async function changedByline (store: Store, patch: ArticlePatchBody, current: Byline, viewer: Principal): Promise<Byline | undefined> {
  const byline = requestedByline(patch, current)
  if (byline === undefined || sameByline(byline, current)) return undefined
  assertMayWriteByline(viewer, byline, current)
  await assertBylineExists(store, byline, current, patch.authorIds === undefined ? 'body.authorId' : 'body.authorIds')
  return byline
}

// Authors write drafts; publishing (or scheduling) is an editor's call.
function assertMayPublish (viewer: Principal, status: ArticleStatus | undefined): void {
  if (viewer.role === 'author' && status !== undefined && status !== 'draft') {
    throw new Forbidden('An author token may not publish or schedule; an editor does that')
  }
}

/**
 * Refuses (403) a change `viewer` may not make: editors change any article, an author token
 * the drafts on its byline. `coAuthorIds`: the article's co-authors, where they share the
 * right (an edit); without them only the primary author has it (deleting, corrections).
 */
export function assertMayChange (viewer: Principal, row: ArticleRow, coAuthorIds: readonly number[] = []): void {
  if (viewer.role !== 'author') return
  if (row.authorId !== viewer.authorId && !coAuthorIds.includes(viewer.authorId!)) throw new Forbidden('An author token may change only its own articles')
  if (row.status !== 'draft') throw new Forbidden('This article is published or scheduled: only an editor can change it now')
}

export async function createOne (store: Store, settings: Pick<SiteSettings, 'timezone'>, input: NewArticleBody, viewer: Principal): Promise<{ article: ArticleBody, version: string }> {
  assertMayPublish(viewer, input.status)
  const result = await store.transaction(async (tx) => {
    const now = nowIso()
    const byline = await bylineForNew(tx, input, viewer)
    const body = bodyHtml(input) ?? ''
    const custom = customExcerpt(input.excerpt)
    const state = editorialState(input.status ?? 'draft', input.publishedAt == null ? null : toUtcIso(input.publishedAt, 'body.publishedAt'), now)
    const articles = articleQueries(tx)
    const row = await articles.insertArticle({
      slug: await resolveSlug(tx, input.slug, input.title),
      title: input.title.trim(),
      ...contentColumns(body, custom, state, settings.timezone),
      unpublishAt: checkedUnpublishAt(state, requestedUnpublishAt(input.unpublishAt) ?? null, now),
      authorId: byline.primary,
      createdAt: now,
      updatedAt: now
    })
    await articles.replaceCoAuthors(row.id, byline.coAuthors)
    await articles.forgetOldSlug(row.slug)
    const labels = normalLabels(input.labels ?? [])
    const turnover = await setLabels(tx, row.id, labels)
    const featured = input.featuredImage ?? null
    if (featured !== null) await attachFeatured(tx, row.id, featured, viewer)
    const seo = await writeSeo(tx, 'article', row.id, noSeo, input.seo, viewer)
    await noteInlineImages(tx, row.id, row.body)
    await reindex(tx, row)
    noteArticleChange(tx, { after: row, fields: [...articleFields(labels), 'authorIds', ...(featured === null ? [] : ['featuredImage']), ...(seo ? ['seo'] : [])], now })
    noteLabelTurnover(tx, turnover, { publicBefore: false, publicAfter: isPublic(row, now) }, now)
    return { article: (await present(tx, [row], viewer, new Set(), viewInUnit(now)))[0]!, version: articleVersion(row) }
  })
  await schedulesChanged(store)
  return result
}

async function changedValues (tx: Store, settings: SiteSettings, current: ArticleRow, patch: ArticlePatchBody, byline: Byline | undefined, now: string): Promise<Partial<NewArticleRow>> {
  const values: Partial<NewArticleRow> = { updatedAt: now }
  if (patch.title !== undefined) values.title = patch.title.trim()
  if (patch.slug !== undefined && patch.slug !== current.slug) values.slug = await resolveSlug(tx, patch.slug, current.title, current.id)
  if (byline !== undefined && byline.primary !== current.authorId) values.authorId = byline.primary

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
  if (patch.status !== undefined || patch.publishedAt !== undefined || patch.unpublishAt !== undefined) {
    const state = { status: values.status ?? current.status, publishedAt: values.publishedAt === undefined ? current.publishedAt : values.publishedAt }
    values.unpublishAt = checkedUnpublishAt(state, requestedUnpublishAt(patch.unpublishAt) ?? (patch.unpublishAt === null ? null : current.unpublishAt), now)
  }
  return values
}

/** Makes `mediaId` the article's featured image, once the writer may attach it (`body.featuredImage`). */
async function attachFeatured (tx: Store, articleId: number, mediaId: number, viewer: Principal): Promise<void> {
  await assertAttachable(tx, mediaId, viewer, 'body.featuredImage')
  await mediaQueries(tx).setFeatured(articleId, mediaId)
}

/** Sets or clears the featured image; answers whether it changed. */
async function replaceFeatured (tx: Store, articleId: number, mediaId: number | null, viewer: Principal): Promise<boolean> {
  const queries = mediaQueries(tx)
  const current = (await queries.featuredIdsByArticle([articleId])).get(articleId) ?? null
  if (current === mediaId) return false
  if (mediaId === null) await queries.setFeatured(articleId, null)
  else await attachFeatured(tx, articleId, mediaId, viewer)
  return true
}

export async function updateOne (store: Store, settings: SiteSettings, idOrSlug: string, patch: ArticlePatchBody, viewer: Principal, ifMatch: string | undefined): Promise<{ article: ArticleBody, version: string }> {
  const result = await store.transaction(async (tx) => {
    const current = await findVisibleArticleForUpdate(tx, idOrSlug, viewer)
    const coAuthors = await coAuthorsOf(tx, current)
    assertMayChange(viewer, current, coAuthors)
    assertMayPublish(viewer, patch.status)
    assertIfMatch(ifMatch, articleVersion(current))
    const byline = await changedByline(tx, patch, { primary: current.authorId, coAuthors }, viewer)
    const now = nowIso()
    const articles = articleQueries(tx)
    const labels = (await articles.labelsByArticle([current.id])).get(current.id) ?? []
    const seo = (await seoValuesOf(tx, 'article', [current.id])).get(current.id)!
    await keepRevision(tx, { row: current, labels, coAuthors, seo }, viewer, now, settings.revisionsKept)
    const row = await articles.updateArticle(current.id, await changedValues(tx, settings, current, patch, byline, now))
    if (byline !== undefined) await articles.replaceCoAuthors(row.id, byline.coAuthors)
    if (row.slug !== current.slug) await keepOldSlug(tx, row, current.slug, now)
    const newLabels = patch.labels === undefined ? labels : normalLabels(patch.labels)
    const turnover = patch.labels === undefined ? undefined : await setLabels(tx, row.id, newLabels)
    const featuredChanged = patch.featuredImage !== undefined && await replaceFeatured(tx, row.id, patch.featuredImage, viewer)
    const seoChanged = await writeSeo(tx, 'article', row.id, seo, patch.seo, viewer)
    if (row.body !== current.body) await noteInlineImages(tx, row.id, row.body)
    // Rewriting the search rows is most of an edit's cost: only when the words can have changed.
    if (patch.labels !== undefined || row.title !== current.title || row.excerpt !== current.excerpt || row.body !== current.body) await reindex(tx, row, current)
    noteArticleChange(tx, { before: current, after: row, fields: [...changedFields(current, row, { before: labels, after: newLabels }), ...(byline === undefined ? [] : ['authorIds']), ...(featuredChanged ? ['featuredImage'] : []), ...(seoChanged ? ['seo'] : [])], now })
    if (turnover !== undefined) noteLabelTurnover(tx, turnover, { publicBefore: isPublic(current, now), publicAfter: isPublic(row, now) }, now)
    return { article: (await present(tx, [row], viewer, new Set(), viewInUnit(now)))[0]!, version: articleVersion(row) }
  })
  await schedulesChanged(store)
  return result
}

/**
 * Makes an earlier revision the article's content again: an update like any other (so the
 * version it replaces is kept as a revision too, and `If-Match` guards it).
 */
export async function restoreRevision (store: Store, settings: SiteSettings, idOrSlug: string, number: number, viewer: Principal, ifMatch: string | undefined): Promise<{ article: ArticleBody, version: string }> {
  const current = await findVisibleArticle(store, idOrSlug, viewer)
  await assertMayReadHistory(store, viewer, current)
  const revision = await revisionOf(store, current, number)
  return await updateOne(store, settings, String(current.id), {
    title: revision.title,
    body: revision.body,
    excerpt: revision.excerpt,
    status: revision.status,
    publishedAt: revision.publishedAt,
    // A time gone by would be refused, and the article did come down then: it stays up now.
    unpublishAt: revision.unpublishAt !== null && revision.unpublishAt > nowIso() ? revision.unpublishAt : null,
    // A co-author's restore leaves the byline as it is: it is the primary author's to change.
    ...(revision.authorIds === null || !mayWriteByline(viewer, current.authorId) ? {} : { authorIds: await bylineToRestore(store, current.authorId, revision.authorIds) }),
    labels: revision.labels,
    seo: { ...revision.seo, socialImage: await imageStill(store, revision.seo.socialImage) }
  }, viewer, ifMatch)
}

/**
 * The byline a restore writes: the primary author stays who it is now (a reassignment is not
 * undone), followed by the revision's co-authors who are still authors.
 */
async function bylineToRestore (store: Store, primary: number, authorIds: number[]): Promise<number[]> {
  const coAuthors = authorIds.slice(1).filter((id) => id !== primary)
  const existing = new Set((await authorQueries(store).authorsByIds(coAuthors)).map((author) => author.id))
  return [primary, ...coAuthors.filter((id) => existing.has(id))]
}

/** Deleting moves the article to the trash (for `settings.trashDays`), from where it can be restored. */
export async function removeOne (store: Store, settings: Pick<SiteSettings, 'trashDays'>, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await findVisibleArticleForUpdate(tx, idOrSlug, viewer)
    assertMayChange(viewer, current)
    assertIfMatch(ifMatch, articleVersion(current))
    const now = nowIso()
    const unusedLabels = await trashArticle(tx, current, viewer, now, settings.trashDays)
    noteArticleChange(tx, { kind: settings.trashDays > 0 ? 'trashed' : 'deleted', before: current, fields: [], now })
    noteLabelTurnover(tx, { created: [], deleted: unusedLabels }, { publicBefore: isPublic(current, now), publicAfter: false }, now)
  })
  await schedulesChanged(store)
}

/** Brings an article back from the trash and answers it as a read would. */
export async function restoreFromTrash (store: Store, settings: Pick<SiteSettings, 'timezone'>, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): Promise<{ article: ArticleBody, version: string, renumberedComments: Renumbered[] }> {
  const { id, renumberedComments } = await restoreTrashed(store, settings.timezone, idOrSlug, viewer, ifMatch)
  // It may come back scheduled, or with its time since passed: the read publishes it if due.
  await schedulesChanged(store)
  return { ...(await findOne(store, String(id), viewer, {})), renumberedComments }
}

/**
 * Days are stored with each article for fast day pages. When the site's time zone
 * setting changes, every stored day is recomputed in it, in one transaction.
 */
export async function alignDaysToTimezone (store: Store, timezone: string): Promise<void> {
  await store.transaction(async (tx) => {
    const meta = metaQueries(tx)
    const storedIn = await meta.read('timezone')
    if (storedIn === timezone) return
    if (storedIn !== undefined) {
      const articles = articleQueries(tx)
      for (const { id, publishedAt } of await articles.publishedTimes()) await articles.setPublishedDay(id, dayInZone(publishedAt, timezone))
    }
    await meta.write('timezone', timezone)
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
/** `settings.similarCandidates`: how many matches on each side of it are looked at (src/search/query.ts). */
export async function related (store: Store, idOrSlug: string, viewer: Principal | null, limit: number, settings: Pick<SiteSettings, 'similarCandidates'> = {}): Promise<Page<ArticleSummaryBody>> {
  const view = await currentView(store)
  const { now } = view
  const article = await findVisibleArticle(store, idOrSlug, viewer, now)
  const articles = articleQueries(store)
  const labels = (await articles.labelsByArticle([article.id])).get(article.id) ?? []
  const candidates = 50
  const shared = await articles.sharedLabelCounts(article.id, now, candidates)
  const similar = await searchQueries(store).similarArticles(distinctiveTerms(article.title, labels), article.id, now, candidates, settings.similarCandidates ?? similarCandidates)
  const ids = [...new Set([...shared.keys(), ...similar.keys()])]
    .sort((a, b) => (shared.get(b) ?? 0) - (shared.get(a) ?? 0) || (similar.get(b) ?? 0) - (similar.get(a) ?? 0) || b - a)
    .slice(0, limit)
  const items = await summariesWithAuthors(store, await articles.articlesByIds(ids), viewer, view)
  return { items, total: items.length, limit, offset: 0, nextCursor: null }
}

/** Up to 10 titles completing what a reader is typing into a search box. */
export async function suggest (store: Store, typed: string): Promise<TitleSuggestion[]> {
  const { now } = await currentView(store)
  return await searchQueries(store).titleSuggestions(toFtsQuery(typed), now, 10)
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
  /** Its co-authors after `authorId`, in order (our own export's); absent leaves those it has. */
  coAuthorIds?: number[]
  /** Our id to give a new article when it is free (a round trip of our own export). */
  preferredId?: number
  /** Slugs the source says the article had before (they answer 301 to its slug now). */
  oldSlugs?: string[]
  /** When it comes down (our own export's): kept as it is, but not before it goes up. */
  unpublishAt?: string | null
  /** Its public corrections, in place of any it had; absent leaves those it has. */
  corrections?: ImportedCorrection[]
  /** `body` already sanitised as `sanitizeArticleHtml` does, and its text (an import's worker threads did it). */
  sanitised?: { html: string, text: string }
}

/** A title for an untitled source post: its first words, as a reader would refer to it. */
function titleFromBody (body: string, text = htmlToText(body)): string {
  const words = text.split(/\s+/).filter((word) => word !== '').slice(0, 8)
  return words.length === 0 ? 'Untitled' : words.join(' ') + '…'
}

/**
 * Creates an imported article, or rewrites `existing` with what the source now says: the
 * API's rules (sanitising, excerpt, status by the clock, labels, search index), the
 * source's own times. Runs inside the import's transaction.
 */
export async function writeImportedArticle (tx: Store, settings: Pick<SiteSettings, 'timezone'>, input: ImportedArticleValues, existing: ArticleRow | undefined, now: string, search: SearchIndexBatch): Promise<ArticleRow> {
  const body = input.sanitised?.html ?? sanitizeArticleHtml(input.body)
  const text = input.sanitised?.text ?? htmlToText(body)
  const title = singleLine(input.title, 300) || titleFromBody(body, text)
  const custom = customExcerpt(input.excerpt)
  const state = editorialState(input.status, input.publishedAt, now)
  // One past already comes down at the next read, as it would have had the source kept it.
  const unpublishAt = input.unpublishAt == null || (state.publishedAt !== null && input.unpublishAt <= state.publishedAt) ? null : input.unpublishAt
  const values = { title, ...contentColumns(body, custom, state, settings.timezone, text), unpublishAt, authorId: input.authorId, updatedAt: input.updatedAt }
  const articles = articleQueries(tx)
  const row = existing === undefined
    ? await articles.insertArticle({
      ...values,
      ...(await preferredIdFree(tx, input.preferredId) ? { id: input.preferredId } : {}),
      slug: await uniqueSlug(slugify(input.slug ?? title, 'article'), async (candidate) => await slugTaken(tx, candidate)),
      createdAt: input.createdAt
    })
    : await articles.updateArticle(existing.id, values)
  if (existing === undefined) await articles.forgetOldSlug(row.slug)
  const coAuthors = input.coAuthorIds === undefined ? undefined : [...new Set(input.coAuthorIds)].filter((id) => id !== row.authorId)
  if (coAuthors !== undefined) await articles.replaceCoAuthors(row.id, coAuthors)
  await keepOldSlugs(tx, row, input.oldSlugs ?? [], input.updatedAt)
  const corrections = importedCorrections(input.corrections)
  if (corrections !== undefined) await replaceCorrections(tx, row.id, corrections, now)
  // Every label, beyond the API's limit per request too: a migration must not lose data.
  const labels = normalLabels(input.labels.map((name) => singleLine(name, 60)).filter((name) => name !== ''))
  const turnover = await setLabels(tx, row.id, labels)
  await search.add({ ...row, labels }, text)
  // The import re-writes an article only when its record changed (its digest): if no column
  // did, its labels did.
  const fields = [...(existing === undefined ? articleFields(labels) : changedFields(existing, row)), ...(coAuthors === undefined ? [] : ['authorIds']), ...(corrections === undefined ? [] : ['corrections', 'correctedAt'])]
  noteArticleChange(tx, { before: existing, after: row, fields: fields.length > 0 ? fields : ['labels'], now })
  noteLabelTurnover(tx, turnover, { publicBefore: isPublic(existing, now), publicAfter: isPublic(row, now) }, now)
  return row
}

/**
 * Imported corrections as the API would store them: notes trimmed, control characters and
 * empty notes dropped, the first `maxCorrectionsPerArticle` kept.
 */
function importedCorrections (corrections: ImportedCorrection[] | undefined): ImportedCorrection[] | undefined {
  if (corrections === undefined) return undefined
  return corrections
    .map((correction) => ({ ...correction, note: withoutControls(correction.note).trim() }))
    .filter((correction) => correction.note !== '')
    .slice(0, maxCorrectionsPerArticle)
}

/**
 * An article an import may update, by id: locked until the import's unit ends, so an article
 * deleted meanwhile (to the trash) is found gone rather than written after it went.
 */
export async function findImportedArticle (tx: Store, id: number): Promise<ArticleRow | undefined> {
  return await articleQueries(tx).articleByIdForUpdate(id)
}

/** Whether an import may give a new article the id it asks for: no article has it. */
async function preferredIdFree (tx: Store, id: number | undefined): Promise<boolean> {
  return id !== undefined && await articleQueries(tx).articleById(id) === undefined
}
