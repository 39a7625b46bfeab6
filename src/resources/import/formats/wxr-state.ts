import type { ReadContext } from './context.js'
import { ns } from './namespaces.js'
import { utcFromOffset, utcFromZone, wxrWallTime } from './timestamps.js'
import { textOf, type XmlElement } from './xml-tree.js'

// What a WXR reader learns as it goes and needs for later items: the site (which scopes every
// source id), the authors already emitted, and the site's offset from UTC (WordPress writes
// local times without one, and some items have no GMT date at all).

export class WxrState {
  baseBlogUrl = ''
  link = ''
  /** Logins already emitted as authors. */
  private readonly logins = new Set<string>()
  /** Whether the channel lists its authors (WXR 1.1+); WXR 1.0 only names them in dc:creator. */
  private authorsListed = false
  /** The site's offset from UTC as last seen (post_date − post_date_gmt), for zero GMT dates. */
  offsetMinutes: number | null = null

  constructor (readonly context: ReadContext) {}

  /** Source ids of a WordPress site are scoped by its base_blog_url (else its link). */
  get site (): string {
    return this.baseBlogUrl !== '' ? this.baseBlogUrl : this.link
  }

  /** Records a login; false when it was known already. */
  addAuthor (login: string, listed: boolean): boolean {
    if (listed) this.authorsListed = true
    if (this.logins.has(login)) return false
    this.logins.add(login)
    return true
  }

  hasAuthor (login: string): boolean {
    return this.logins.has(login)
  }

  get listsAuthors (): boolean {
    return this.authorsListed
  }
}

export interface PostTime {
  at: string | null
  /** Set when the time had to be read from a local date. */
  note: string | null
}

/** Learns the site's UTC offset from an item that has both its local and its GMT date. */
export function noteSiteOffset (item: XmlElement, state: WxrState): void {
  const local = wxrWallTime(textOf(item, ns.wp, 'post_date'))
  const gmt = wxrWallTime(textOf(item, ns.wp, 'post_date_gmt'))
  if (local === null || gmt === null) return
  // Offsets come in quarter hours; rounding absorbs a clock second between the two fields.
  state.offsetMinutes = Math.round((local - gmt) / 60_000 / 15) * 15
}

/**
 * A local WXR date (post_date, comment_date) in UTC: at the offset the other items show, else
 * in the site zone the caller gave (mapping guide §5, §8.6).
 */
export function localTime (local: string, state: WxrState): PostTime {
  const wallTime = wxrWallTime(local)
  if (wallTime === null) return { at: null, note: null }
  if (state.offsetMinutes !== null) {
    return { at: utcFromOffset(wallTime, state.offsetMinutes), note: `no GMT date in source: time read from the local post_date at UTC${formatOffset(state.offsetMinutes)} (the offset of the other items)` }
  }
  return { at: utcFromZone(wallTime, state.context.timezone), note: `no GMT date in source: time read from the local post_date in ${state.context.timezone}` }
}

function formatOffset (minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const absolute = Math.abs(minutes)
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`
}

