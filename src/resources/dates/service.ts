import type { Store } from '../../db/store.js'
import { Conflict, invalid, NotFound } from '../../errors.js'
import { mapPage, parseNames, readPage, type Page } from '../../lib/list.js'
import { nowIso } from '../../lib/time.js'
import { withoutControls } from '../../lib/values.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { summariesWithAuthors } from '../articles/service.js'
import { currentView, viewInUnit, type View } from '../articles/view.js'
import type { Principal } from '../../lib/principal.js'
import { dayQueries, type DayRange, type KnownDay } from './queries.js'
import { dayIncludes, type ArchiveBody, type DayBody, type DayListQueryString, type DayPatchBody, type NewDayBody } from './schemas.js'
import { noteDayChange } from './changes.js'

const labelFormats = new Map<string, Intl.DateTimeFormat>()
// Formatting takes longer than reading the day: labels are kept (a few thousand days at most).
const labelsByDay = new Map<string, string>()
const labelsKept = 20_000

/** "Thursday, June 25, 2026" in en-US; "Donnerstag, 25. Juni 2026" in de-DE. */
export function dayLabel (day: string, locale: string): string {
  const key = `${locale} ${day}`
  let label = labelsByDay.get(key)
  if (label === undefined) {
    label = formatFor(locale).format(new Date(`${day}T00:00:00Z`))
    if (labelsByDay.size >= labelsKept) labelsByDay.clear()
    labelsByDay.set(key, label)
  }
  return label
}

function formatFor (locale: string): Intl.DateTimeFormat {
  let format = labelFormats.get(locale)
  if (format === undefined) {
    // The day is already in the site's zone: format it as a plain calendar date, in UTC.
    format = new Intl.DateTimeFormat(locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })
    labelFormats.set(locale, format)
  }
  return format
}

function dayVersion (known: KnownDay): string {
  return `day-${known.day}-v${known.version}`
}

async function present (store: Store, settings: Pick<SiteSettings, 'locale'>, known: KnownDay[], viewer: Principal | null, withArticles: boolean, view: View): Promise<DayBody[]> {
  const summaries = withArticles ? await summariesWithAuthors(store, await dayQueries(store).publishedOnDays(view.now, known.map((day) => day.day)), viewer, view) : null
  return known.map((day) => {
    const body: DayBody = { date: day.day, label: dayLabel(day.day, settings.locale), note: day.note, articleCount: day.articleCount }
    if (summaries !== null) body.articles = summaries.filter((summary) => summary.date === day.day)
    return body
  })
}

function rangeOf (query: DayListQueryString): DayRange {
  if (query.month !== undefined && query.year === undefined) throw invalid('querystring.month', 'needs year')
  const froms = [query.from]
  const tos = [query.to]
  if (query.year !== undefined) {
    const year = String(query.year).padStart(4, '0')
    const month = query.month === undefined ? null : String(query.month).padStart(2, '0')
    froms.push(month === null ? `${year}-01-01` : `${year}-${month}-01`)
    tos.push(month === null ? `${year}-12-31` : `${year}-${month}-31`)
  }
  const from = froms.filter((day) => day !== undefined).sort().at(-1)
  const to = tos.filter((day) => day !== undefined).sort()[0]
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }
}

export async function list (store: Store, settings: Pick<SiteSettings, 'locale'>, query: DayListQueryString, viewer: Principal | null): Promise<Page<DayBody>> {
  const descending = query.sort !== 'date'
  const include = parseNames(query.include, dayIncludes, 'include')
  const view = await currentView(store)
  const { now } = view
  const range = rangeOf(query)
  const days = dayQueries(store)
  const page = await readPage(query, [{ field: 'date', descending }], {
    count: async (after) => await days.countDays(now, range, descending, after === undefined ? null : String(after[0])),
    fetch: async (after, limit, offset) => await days.pageOfDays(now, range, descending, after === null ? null : String(after[0]), limit, offset),
    cursorOf: (day) => [day.day, day.day]
  })
  return await mapPage(page, async (known) => await present(store, settings, known, viewer, include.has('articles'), view))
}

/** `forUpdate`: read in a unit of work that checks the day's version before it writes. */
async function findKnown (store: Store, day: string, now: string, forUpdate = false): Promise<KnownDay> {
  const days = dayQueries(store)
  const known = forUpdate ? await days.knownDayForUpdate(now, day) : await days.knownDay(now, day)
  if (known === undefined) throw new NotFound(`${day} has no articles and no note`)
  return known
}

/** A day's page: its published articles, newest first, each with its author. */
export async function findOne (store: Store, settings: Pick<SiteSettings, 'locale'>, day: string, viewer: Principal | null): Promise<{ day: DayBody, version: string }> {
  const view = await currentView(store)
  const known = await findKnown(store, day, view.now)
  return { day: (await present(store, settings, [known], viewer, true, view))[0]!, version: dayVersion(known) }
}

export async function createOne (store: Store, settings: Pick<SiteSettings, 'locale'>, input: NewDayBody, viewer: Principal): Promise<{ day: DayBody, version: string }> {
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const days = dayQueries(tx)
    if (await days.knownDay(now, input.date) !== undefined) throw new Conflict(`${input.date} exists already; change its note with PATCH`)
    await days.insertDay({ day: input.date, note: input.note ?? null, createdAt: now, updatedAt: now })
    noteDayChange(tx, input.date, 'created', now)
    const known = await findKnown(tx, input.date, now)
    return { day: (await present(tx, settings, [known], viewer, false, viewInUnit(now)))[0]!, version: dayVersion(known) }
  })
}

/** Sets a day's note. A day that exists through its articles gets its row here. */
export async function updateOne (store: Store, settings: Pick<SiteSettings, 'locale'>, day: string, patch: DayPatchBody, viewer: Principal, ifMatch: string | undefined): Promise<{ day: DayBody, version: string }> {
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const days = dayQueries(tx)
    const current = await findKnown(tx, day, now, true)
    assertIfMatch(ifMatch, dayVersion(current))
    if (await days.dayRow(day) === undefined) await days.insertDay({ day, note: patch.note, createdAt: now, updatedAt: now })
    else await days.updateDayNote(day, patch.note, now)
    // A day that its articles made public gets its note: an update, for its readers too.
    noteDayChange(tx, day, 'updated', now)
    const known = await findKnown(tx, day, now)
    return { day: (await present(tx, settings, [known], viewer, false, viewInUnit(now)))[0]!, version: dayVersion(known) }
  })
}

export async function removeOne (store: Store, day: string, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const now = nowIso()
    const current = await findKnown(tx, day, now, true)
    assertIfMatch(ifMatch, dayVersion(current))
    if (current.articleCount > 0) {
      throw new Conflict(`${day} still has ${current.articleCount} published article${current.articleCount === 1 ? '' : 's'}; a day with articles can't be deleted`)
    }
    await dayQueries(tx).deleteDay(day)
    noteDayChange(tx, day, 'deleted', now)
  })
}

/** The Blogger-style archive tree: years, then months, newest first. */
export async function archive (store: Store): Promise<ArchiveBody> {
  const { now } = await currentView(store)
  const years: ArchiveBody['years'] = []
  for (const { month, count } of await dayQueries(store).monthlyCounts(now)) {
    const year = Number(month.slice(0, 4))
    let entry = years.at(-1)
    if (entry?.year !== year) {
      entry = { year, count: 0, months: [] }
      years.push(entry)
    }
    entry.count += count
    entry.months.push({ month: Number(month.slice(5, 7)), count })
  }
  return { years }
}

/** A day's note as an import brings it (see src/resources/import/). */
export interface ImportedDayValues {
  day: string
  note: string | null
  createdAt: string
  updatedAt: string
}

/**
 * Gives a day the note an import brings: creates the day's row, changes its note, or leaves
 * it as it is; answers which. The row is read locked until the import's unit ends, so a day
 * deleted meanwhile is made again rather than updated after it went.
 */
export async function writeImportedDay (tx: Store, input: ImportedDayValues): Promise<'created' | 'updated' | 'unchanged'> {
  const note = input.note === null ? null : withoutControls(input.note)
  const days = dayQueries(tx)
  const existing = await days.dayRowForUpdate(input.day)
  if (existing === undefined) {
    await days.insertDay({ day: input.day, note, createdAt: input.createdAt, updatedAt: input.updatedAt })
    noteDayChange(tx, input.day, 'created', nowIso())
    return 'created'
  }
  if (existing.note === note) return 'unchanged'
  await days.updateDayNote(input.day, note, input.updatedAt)
  noteDayChange(tx, input.day, 'updated', nowIso())
  return 'updated'
}
