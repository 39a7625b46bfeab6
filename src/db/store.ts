/**
 * The database as services see it, whichever engine holds it: SQLite (embedded, the default)
 * or PostgreSQL. Services hold the rules once and reach rows through each resource's query
 * module, which has one implementation per dialect (`queries.sqlite.ts`, `queries.postgres.ts`)
 * behind one interface (`queries.ts`). README, "Architecture", says why it is cut this way.
 */
import type { Change } from './change-log.js'

export type Dialect = 'sqlite' | 'postgres'

export interface Store {
  readonly dialect: Dialect
  /**
   * What the dialect's query modules run on (a drizzle database or transaction). Only
   * `queriesFor` reads it: services never reach past the query modules.
   */
  readonly handle: object
  /** Whether this store is a transaction's: results read through it may yet be rolled back. */
  readonly inTransaction: boolean
  /**
   * Runs `work` as one unit: everything it writes commits together or not at all. Inside
   * `work`, use `tx` (never the outer store) so every read sees the unit's own writes; a
   * transaction opened on `tx` is a savepoint inside this one.
   */
  transaction: <T>(work: (tx: Store) => Promise<T>) => Promise<T>
  /**
   * Notes a change the unit of work makes to what the API serves; the unit appends what it
   * noted to the change log as its last step (db/change-log.ts), so the entries commit with the
   * changes or not at all, and a savepoint rolled back takes back what was noted inside it.
   * Only on a unit's store (`inTransaction`).
   */
  noteChange: (change: Change) => void
  /**
   * Like `transaction`, but for housekeeping (publishing what is due, purging the trash):
   * when another connection holds the write lock it answers `undefined` at once instead of
   * waiting, so a reader is never held up behind a writer elsewhere.
   */
  transactionIfFree: <T>(work: (tx: Store) => Promise<T>) => Promise<T | undefined>
  /**
   * Like `transactionIfFree`, for bookkeeping no reader sees in content (when a token was last
   * used): the write stamp stays, so no cached total or list ETag is thrown away over it.
   */
  bookkeepingIfFree: <T>(work: (tx: Store) => Promise<T>) => Promise<T | undefined>
  /**
   * Like `transaction` (it waits its turn), for bookkeeping that must not be skipped (what a
   * webhook's deliveries did): the write stamp stays, so no cache or list ETag is thrown
   * away over it.
   */
  bookkeeping: <T>(work: (tx: Store) => Promise<T>) => Promise<T>
  /**
   * Moves whenever anything is written, by this process or another: values cached against
   * it (list totals, ETags of lists) are never stale.
   */
  writeStamp: () => Promise<string>
  close: () => Promise<void>
}

type QueryFactories<Q> = Record<Dialect, ((handle: never) => Q) | undefined>

/**
 * A resource's query module for whichever dialect a store speaks. Built once per handle: a
 * SQLite transaction runs on its database's connection, so it shares the module.
 */
export function queriesFor<Q> (factories: Partial<QueryFactories<Q>>): (store: Store) => Q {
  const byHandle = new WeakMap<object, Q>()
  return (store) => {
    let queries = byHandle.get(store.handle)
    if (queries === undefined) {
      const make = factories[store.dialect] as ((handle: object) => Q) | undefined
      if (make === undefined) throw new Error(`no ${store.dialect} queries for this resource`)
      queries = make(store.handle)
      byHandle.set(store.handle, queries)
    }
    return queries
  }
}

/**
 * Values computed from the database (counts), kept per store until anything is written to
 * it, by this process or another: a cache that is never stale. Callers pass the write stamp
 * their request read (a round trip on PostgreSQL, so it is read once per request, not per
 * cache). Nothing is kept from inside a transaction, or without a stamp: a count taken there
 * may include rows a rollback takes back.
 */
export class UntilNextWrite<V> {
  readonly #byStore = new WeakMap<Store, { stamp: string, values: Map<string, V> }>()

  constructor (private readonly capacity = 500) {}

  /** The values of the current state of the database, emptied when it has changed. */
  #values (store: Store, stamp: string | null): Map<string, V> | undefined {
    if (store.inTransaction || stamp === null) return undefined
    let cache = this.#byStore.get(store)
    if (cache === undefined || cache.stamp !== stamp) {
      cache = { stamp, values: new Map() }
      this.#byStore.set(store, cache)
    }
    return cache.values
  }

  /** Keeps a value, dropping the oldest beyond `capacity`. */
  #keep (values: Map<string, V>, key: string, value: V): void {
    if (values.size >= this.capacity) values.delete(values.keys().next().value!)
    values.set(key, value)
  }

  async get (store: Store, stamp: string | null, key: string, compute: () => Promise<V>): Promise<V> {
    const values = this.#values(store, stamp)
    if (values === undefined) return await compute()
    let value = values.get(key)
    if (value === undefined) {
      value = await compute()
      this.#keep(values, key, value)
    }
    return value
  }

  /** Several at once: `compute` gets the keys not kept yet and answers for each of them. */
  async getMany (store: Store, stamp: string | null, keys: string[], compute: (missing: string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
    const values = this.#values(store, stamp)
    if (values === undefined) return await compute(keys)
    const missing = keys.filter((key) => !values.has(key))
    if (missing.length > 0) {
      const computed = await compute(missing)
      for (const key of missing) this.#keep(values, key, computed.get(key)!)
    }
    return new Map(keys.map((key) => [key, values.get(key)!]))
  }
}
