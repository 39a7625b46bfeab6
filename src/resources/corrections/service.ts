import type { Store } from '../../db/store.js'
import { Conflict, invalid, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import { mapPage, readPage, type Page } from '../../lib/list.js'
import type { Principal } from '../../lib/principal.js'
import { nowIso, toUtcIso } from '../../lib/time.js'
import { withoutControls } from '../../lib/values.js'
import { noteArticleChange } from '../articles/changes.js'
import { articleQueries, type ArticleRow } from '../articles/queries.js'
import { assertMayChange, findVisibleArticle, findVisibleArticleForUpdate, visibilityFor } from '../articles/service.js'
import { currentView } from '../articles/view.js'
import { toCorrection } from './presenter.js'
import { correctionQueries, type CorrectionRow, type LoggedCorrectionRow } from './queries.js'
import {
  maxCorrectionsPerArticle,
  type CorrectionBody, type CorrectionLogEntryBody, type CorrectionLogQueryString, type CorrectionPatchBody, type NewCorrectionBody
} from './schemas.js'

// An article's public corrections log (issue 22, part 6). Whoever may read the article reads
// its corrections; whoever may change it (editors; an author token its own drafts) writes them.
// A correction changes what the article's reads serve, so it moves the article's version (its
// ETag) and notes an `updated` change of the article; it leaves `updatedAt`, the time of the
// last edit of the article's own content, as it is: `correctedAt` is the correction's time.

/** The version a correction's ETag carries, for `If-Match`. */
export function correctionVersion (row: CorrectionRow): string {
  return `correction-${row.id}-v${row.version}`
}

/** A note as stored: plain text without its surrounding space (line breaks inside are kept). */
function noteOf (note: string): string {
  return withoutControls(note).trim()
}

/**
 * When the correction was made: now unless given (a newsroom moving its corrections log over
 * gives the old times), and never in the future.
 */
function correctedAtOf (given: string | undefined, now: string): string {
  if (given === undefined) return now
  const at = toUtcIso(given, 'body.correctedAt')
  if (at > now) throw invalid('body.correctedAt', 'is in the future')
  return at
}

async function correctionOf (store: Store, article: ArticleRow, correctionId: number): Promise<CorrectionRow> {
  const row = await correctionQueries(store).correctionOfArticle(article.id, correctionId)
  if (row === undefined) throw new NotFound(`Article ${article.id} has no correction ${correctionId}`)
  return row
}

/** An article's corrections, oldest first: all of them, as there are at most `maxCorrectionsPerArticle`. */
export async function listOfArticle (store: Store, idOrSlug: string, viewer: Principal | null): Promise<Page<CorrectionBody>> {
  const article = await findVisibleArticle(store, idOrSlug, viewer)
  const rows = (await correctionQueries(store).correctionsByArticle([article.id])).get(article.id) ?? []
  return { items: rows.map(toCorrection), total: rows.length, limit: maxCorrectionsPerArticle, offset: 0, nextCursor: null }
}

export async function findOne (store: Store, idOrSlug: string, correctionId: number, viewer: Principal | null): Promise<{ correction: CorrectionBody, version: string }> {
  const article = await findVisibleArticle(store, idOrSlug, viewer)
  const row = await correctionOf(store, article, correctionId)
  return { correction: toCorrection(row), version: correctionVersion(row) }
}

/**
 * The article, locked and checked for `viewer` to change, then the write, then what every
 * change of its corrections does to the article: its version moves on (its ETag changes), and
 * the change log notes an update of its `corrections` (and of `correctedAt` when that moved).
 */
async function changeCorrections<T> (store: Store, idOrSlug: string, viewer: Principal, write: (tx: Store, article: ArticleRow, now: string) => Promise<T>): Promise<T> {
  return await store.transaction(async (tx) => {
    const article = await findVisibleArticleForUpdate(tx, idOrSlug, viewer)
    assertMayChange(viewer, article)
    const now = nowIso()
    const corrections = correctionQueries(tx)
    const before = (await corrections.correctedAtByArticle([article.id])).get(article.id) ?? null
    const result = await write(tx, article, now)
    const after = (await corrections.correctedAtByArticle([article.id])).get(article.id) ?? null
    const touched = await articleQueries(tx).updateArticle(article.id, {})
    noteArticleChange(tx, { kind: 'updated', before: article, after: touched, fields: ['corrections', ...(before === after ? [] : ['correctedAt'])], now })
    return result
  })
}

export async function createOne (store: Store, idOrSlug: string, input: NewCorrectionBody, viewer: Principal): Promise<{ correction: CorrectionBody, version: string }> {
  return await changeCorrections(store, idOrSlug, viewer, async (tx, article, now) => {
    const corrections = correctionQueries(tx)
    if (await corrections.countOfArticle(article.id) >= maxCorrectionsPerArticle) {
      throw new Conflict(`Article ${article.id} has ${maxCorrectionsPerArticle} corrections, as many as an article may carry: edit one instead`)
    }
    const row = await corrections.insertCorrection({
      articleId: article.id,
      note: noteOf(input.note),
      correctedAt: correctedAtOf(input.correctedAt, now),
      createdAt: now,
      updatedAt: now
    })
    return { correction: toCorrection(row), version: correctionVersion(row) }
  })
}

export async function updateOne (store: Store, idOrSlug: string, correctionId: number, patch: CorrectionPatchBody, viewer: Principal, ifMatch: string | undefined): Promise<{ correction: CorrectionBody, version: string }> {
  return await changeCorrections(store, idOrSlug, viewer, async (tx, article, now) => {
    const current = await correctionOf(tx, article, correctionId)
    assertIfMatch(ifMatch, correctionVersion(current))
    const row = await correctionQueries(tx).updateCorrection(current.id, {
      ...(patch.note === undefined ? {} : { note: noteOf(patch.note) }),
      ...(patch.correctedAt === undefined ? {} : { correctedAt: correctedAtOf(patch.correctedAt, now) }),
      updatedAt: now
    })
    return { correction: toCorrection(row), version: correctionVersion(row) }
  })
}

export async function removeOne (store: Store, idOrSlug: string, correctionId: number, viewer: Principal, ifMatch: string | undefined): Promise<void> {
  await changeCorrections(store, idOrSlug, viewer, async (tx, article) => {
    const current = await correctionOf(tx, article, correctionId)
    assertIfMatch(ifMatch, correctionVersion(current))
    await correctionQueries(tx).deleteCorrection(current.id)
  })
}

function toLogEntry (row: LoggedCorrectionRow): CorrectionLogEntryBody {
  return { ...toCorrection(row), article: row.article }
}

const newestFirst = [{ field: 'correctedAt', descending: true }]

/**
 * The site-wide corrections log, newest first: of the articles `viewer` may see (readers the
 * published ones, an author token its own drafts too, editors every article).
 */
export async function log (store: Store, query: CorrectionLogQueryString, viewer: Principal | null): Promise<Page<CorrectionLogEntryBody>> {
  const { now } = await currentView(store)
  const visibility = visibilityFor(viewer, now)
  const corrections = correctionQueries(store)
  const page = await readPage(query, newestFirst, {
    count: async (after) => await corrections.countInLog(visibility, after),
    fetch: async (after, limit, offset) => await corrections.pageOfLog({ visibility, after, limit, offset }),
    cursorOf: (row) => [row.correctedAt, row.id]
  })
  return await mapPage(page, (rows) => rows.map(toLogEntry))
}
