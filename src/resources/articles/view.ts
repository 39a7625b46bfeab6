import type { Store } from '../../db/store.js'
import { nowIso } from '../../lib/time.js'
import { articleQueries } from './queries.js'
import { notePublishedWhenDue, noteTakenDownWhenDue } from './changes.js'

/**
 * The database as one request reads it: at `now`, once what is due by then is published.
 * Taken once per request and handed down, so the helpers that need the time or the write
 * stamp (visibility, cached totals and counts, list ETags) agree and none asks again: the
 * stamp is a round trip on PostgreSQL. What `now` lets a reader see is in visibility.ts.
 */
export interface View {
  readonly now: string
  /**
   * The write stamp once due articles are published: what cached values and list ETags are
   * kept against. Null inside a unit of work, whose own writes may yet be rolled back, so
   * nothing read there is kept.
   */
  readonly stamp: string | null
}

// Scheduled articles are published lazily, before a read that could see them, and articles
// whose `unpublishAt` has come taken down the same way. Checking for due ones is a query, so each database remembers when the next one is due — as of a
// write stamp, which also moves when another process writes (it may have scheduled one).
const nextDueByStore = new WeakMap<Store, { next: string | null, stamp: string }>()

/** The view a request reads at: publishes (and takes down) the articles due by `now`, then reads the write stamp once. */
export async function currentView (store: Store, now = nowIso()): Promise<View & { readonly stamp: string }> {
  return { now, stamp: await publishDueArticles(store, now) }
}

/** The view of a unit of work (`tx`): its time, and no stamp to keep values against. */
export function viewInUnit (now = nowIso()): View {
  return { now, stamp: null }
}

/** Publishes the articles that are due, then takes down those whose time is up; answers the write stamp after that. */
async function publishDueArticles (store: Store, now: string): Promise<string> {
  const stamp = await store.writeStamp()
  const known = nextDueByStore.get(store)
  if (known?.stamp === stamp && (known.next === null || known.next > now)) return stamp
  // A read first: the write (and its lock) only when something is due, so readers are not
  // held up while another process writes (an import from the command line).
  const articles = articleQueries(store)
  const next = await articles.nextScheduledAt()
  if (next === null || next > now) {
    nextDueByStore.set(store, { next, stamp })
    return stamp
  }
  // Readers never wait for writers: while another process holds the write lock, the due
  // articles wait (not the reader) and the next read publishes them.
  const published = await store.transactionIfFree(async (tx) => {
    // In this order: an article due to go up and come down by now has been up, and is down.
    notePublishedWhenDue(tx, await articleQueries(tx).publishDue(now), now)
    noteTakenDownWhenDue(tx, await articleQueries(tx).takeDownDue(now), now)
    return true
  })
  if (published === undefined) return stamp
  const after = await store.writeStamp()
  nextDueByStore.set(store, { next: await articles.nextScheduledAt(), stamp: after })
  return after
}

/** Forget what is known about schedules: a write may have changed them. */
export async function schedulesChanged (store: Store): Promise<void> {
  nextDueByStore.delete(store)
}
