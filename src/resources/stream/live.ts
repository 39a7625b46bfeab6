import type { Store } from '../../db/store.js'
import { articleQueries } from '../articles/queries.js'
import { readLog, head, type ShownChange } from '../changes/service.js'

/** A change, with the labels of the article it concerns when a follower filters by label. */
export interface LiveChange extends ShownChange {
  labels: string[]
}

/** Someone following the public changes: given each one, in order, once. */
export interface Follower {
  /** Changes after this position have not been given to it yet. */
  after: number
  /** Whether it needs each change's article labels (a label filter). */
  byLabel: boolean
  accept: (changes: LiveChange[]) => void
}

// Entries read per round trip while catching up.
const batch = 500

/**
 * The public changes as they happen, for every follower of this instance: one reader of the
 * change log, polling every `pollMs` from where it got to, whatever the number of followers.
 * It works across instances alike (each tails the shared log), and a follower that joins
 * behind it is brought up to date from the log first, then handed over.
 */
export class LiveChanges {
  readonly #followers = new Set<Follower>()
  #tail = 0
  #timer: NodeJS.Timeout | undefined
  #reading: Promise<void> | undefined

  constructor (private readonly store: Store, private readonly pollMs: number, private readonly onError: (error: unknown) => void) {}

  async start (): Promise<void> {
    this.#tail = await head(this.store)
    this.#timer = setInterval(() => { void this.#poll() }, this.pollMs).unref()
  }

  stop (): void {
    clearInterval(this.#timer)
  }

  /** Brings `follower` up to the live tail from the log, then follows it with the rest. */
  async follow (follower: Follower): Promise<void> {
    while (follower.after < this.#tail) {
      const target = this.#tail
      while (follower.after < target) {
        const read = await readLog(this.store, { since: follower.after, limit: batch }, null)
        const due = read.changes.filter(({ entry }) => entry.position <= target)
        if (due.length > 0) follower.accept(await this.#withLabels(due, follower.byLabel))
        follower.after = Math.min(target, read.nextSince)
        if (read.nextSince === read.head) break
      }
      follower.after = target
      // The tail may have moved on while this one caught up: go round until it is at the tail.
    }
    this.#followers.add(follower)
  }

  unfollow (follower: Follower): void {
    this.#followers.delete(follower)
  }

  /** The changes with their articles' labels (as they are now), read in one statement when asked for. */
  async #withLabels (changes: ShownChange[], wanted: boolean): Promise<LiveChange[]> {
    const articleIds = wanted ? [...new Set(changes.map(({ entry }) => entry.articleId).filter((id) => id !== null))] : []
    const labels = articleIds.length === 0 ? new Map<number, string[]>() : await articleQueries(this.store).labelsByArticle(articleIds)
    return changes.map((change) => ({ ...change, labels: change.entry.articleId === null ? [] : labels.get(change.entry.articleId) ?? [] }))
  }

  async #poll (): Promise<void> {
    if (this.#reading !== undefined) return
    this.#reading = this.#readNew().catch(this.onError).finally(() => { this.#reading = undefined })
    await this.#reading
  }

  async #readNew (): Promise<void> {
    for (;;) {
      const read = await readLog(this.store, { since: this.#tail, limit: batch }, null)
      if (read.changes.length > 0) {
        const changes = await this.#withLabels(read.changes, [...this.#followers].some((follower) => follower.byLabel))
        for (const follower of this.#followers) {
          const fresh = changes.filter(({ entry }) => entry.position > follower.after)
          if (fresh.length > 0) follower.accept(fresh)
          // One that joined at the log's head may be ahead of this reader: it never goes back.
          follower.after = Math.max(follower.after, read.nextSince)
        }
      } else {
        for (const follower of this.#followers) follower.after = Math.max(follower.after, read.nextSince)
      }
      this.#tail = read.nextSince
      if (read.nextSince >= read.head) return
    }
  }
}
