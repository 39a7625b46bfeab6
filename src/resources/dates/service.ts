import type { Db } from '../../db/client.js'
import { Conflict, invalid, NotFound } from '../../errors.js'
import { mapPage, parseNames, readPage, type Page } from '../../lib/list.js'
import { nowIso } from '../../lib/time.js'
import { assertIfMatch } from '../../plugins/http-cache.js'
import type { SiteSettings } from '../../plugins/settings.js'
import { publishDueArticles, summariesWithAuthors } from '../articles/service.js'
import type { Principal } from '../tokens/service.js'
import * as queries from './queries.js'
import { dayIncludes, type ArchiveBody, type DayBody, type DayListQueryString, type DayPatchBody, type NewDayBody } from './schemas.js'

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

function dayVersion (known: queries.KnownDay): string {
  return `day-${known.day}-v${known.version}`
}

function present (db: Db, settings: Pick<SiteSettings, 'locale'>, known: queries.KnownDay[], viewer: Principal | null, withArticles: boolean, now: string): DayBody[] {
  const summaries = withArticles ? summariesWithAuthors(db, queries.publishedOnDays(db, now, known.map((day) => day.day)), viewer) : null
  return known.map((day) => {
    const body: DayBody = { date: day.day, label: dayLabel(day.day, settings.locale), note: day.note, articleCount: day.articleCount }
    if (summaries !== null) body.articles = summaries.filter((summary) => summary.date === day.day)
    return body
  })
}

function rangeOf (query: DayListQueryString): queries.DayRange {
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

export function list (db: Db, settings: Pick<SiteSettings, 'locale'>, query: DayListQueryString, viewer: Principal | null): Page<DayBody> {
  const descending = query.sort !== 'date'
  const include = parseNames(query.include, dayIncludes, 'include')
  const now = nowIso()
  publishDueArticles(db, now)
  const range = rangeOf(query)
  const page = readPage(query, [{ field: 'date', descending }], {
    count: (after) => queries.countDays(db, now, range, descending, after === undefined ? null : String(after[0])),
    fetch: (after, limit, offset) => queries.pageOfDays(db, now, range, descending, after === null ? null : String(after[0]), limit, offset),
    cursorOf: (day) => [day.day, day.day]
  })
  return mapPage(page, (known) => present(db, settings, known, viewer, include.has('articles'), now))
}

function findKnown (db: Db, day: string, now: string): queries.KnownDay {
  const known = queries.knownDay(db, now, day)
  if (known === undefined) throw new NotFound(`${day} has no articles and no note`)
  return known
}

/** A day's page: its published articles, newest first, each with its author. */
export function findOne (db: Db, settings: Pick<SiteSettings, 'locale'>, day: string, viewer: Principal | null): { day: DayBody, version: string } {
  const now = nowIso()
  publishDueArticles(db, now)
  const known = findKnown(db, day, now)
  return { day: present(db, settings, [known], viewer, true, now)[0]!, version: dayVersion(known) }
}

export function createOne (db: Db, settings: Pick<SiteSettings, 'locale'>, input: NewDayBody, viewer: Principal): { day: DayBody, version: string } {
  return db.transaction(() => {
    const now = nowIso()
    if (queries.knownDay(db, now, input.date) !== undefined) throw new Conflict(`${input.date} exists already; change its note with PATCH`)
    queries.insertDay(db, { day: input.date, note: input.note ?? null, createdAt: now, updatedAt: now })
    const known = findKnown(db, input.date, now)
    return { day: present(db, settings, [known], viewer, false, now)[0]!, version: dayVersion(known) }
  })
}

/** Sets a day's note. A day that exists through its articles gets its row here. */
export function updateOne (db: Db, settings: Pick<SiteSettings, 'locale'>, day: string, patch: DayPatchBody, viewer: Principal, ifMatch: string | undefined): { day: DayBody, version: string } {
  return db.transaction(() => {
    const now = nowIso()
    const current = findKnown(db, day, now)
    assertIfMatch(ifMatch, dayVersion(current))
    if (queries.dayRow(db, day) === undefined) queries.insertDay(db, { day, note: patch.note, createdAt: now, updatedAt: now })
    else queries.updateDayNote(db, day, patch.note, now)
    const known = findKnown(db, day, now)
    return { day: present(db, settings, [known], viewer, false, now)[0]!, version: dayVersion(known) }
  })
}

export function removeOne (db: Db, day: string, ifMatch: string | undefined): void {
  db.transaction(() => {
    const now = nowIso()
    const current = findKnown(db, day, now)
    assertIfMatch(ifMatch, dayVersion(current))
    if (current.articleCount > 0) {
      throw new Conflict(`${day} still has ${current.articleCount} published article${current.articleCount === 1 ? '' : 's'}; a day with articles can't be deleted`)
    }
    queries.deleteDay(db, day)
  })
}

/** The Blogger-style archive tree: years, then months, newest first. */
export function archive (db: Db): ArchiveBody {
  const now = nowIso()
  publishDueArticles(db, now)
  const years: ArchiveBody['years'] = []
  for (const { month, count } of queries.monthlyCounts(db, now)) {
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
