import { totalChanges, writeStamp, type Db } from './client.js'
import { appendNotedChanges, type Change } from './change-log.js'
import { runCommitWitness } from './commit-witness.js'
import type { Store } from './store.js'

/**
 * A unit of work on SQLite awaited something that was not already settled (a file, a socket,
 * a timer) while it held the write lock. better-sqlite3 has one connection: anything another
 * request read in the meantime saw the unit's uncommitted writes. The unit is rolled back.
 */
export class UnitAwaitedIo extends Error {
  constructor () {
    super('a unit of work on SQLite awaited I/O while it held the write lock; it was rolled back')
    this.name = 'UnitAwaitedIo'
  }
}

/**
 * Rows this connection wrote as bookkeeping (`bookkeepingIfFree`): `total_changes()` counts
 * them, and the write stamp takes them back out.
 */
class BookkeepingChanges {
  #rows = 0

  constructor (private readonly handle: Db) {}

  /** Runs `unit`, counting the rows it changes as bookkeeping, rolled back or not (`total_changes()` counts both). */
  async counted<T> (unit: () => Promise<T>): Promise<T> {
    const before = totalChanges(this.handle)
    try {
      return await unit()
    } finally {
      this.#rows += totalChanges(this.handle) - before
    }
  }

  writeStamp (): string {
    return writeStamp(this.handle, this.#rows)
  }
}

/** How a unit of work begins and ends on the connection. */
interface UnitStatements { begin: string, commit: string, rollback: string }

// IMMEDIATE: the write lock is taken at BEGIN, where busy_timeout applies. A DEFERRED
// transaction that reads before it writes gets SQLITE_BUSY at once in WAL mode when another
// connection writes: SQLite does not wait for a connection that already has a snapshot.
const asTransaction: UnitStatements = { begin: 'BEGIN IMMEDIATE', commit: 'COMMIT', rollback: 'ROLLBACK' }

// On a connection already in a transaction that someone else began (a test that rolls every
// case back), SQLite refuses BEGIN: the unit is a savepoint in that transaction.
const asSavepoint: UnitStatements = { begin: 'SAVEPOINT unit', commit: 'RELEASE unit', rollback: 'ROLLBACK TO unit; RELEASE unit' }

function isBusy (error: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code))
}

/**
 * SQLite behind the `Store` interface. better-sqlite3 answers synchronously, so the query
 * modules' promises are settled when they are returned, and a unit of work that awaits only
 * them runs from BEGIN to COMMIT without the event loop turning: no other request's statement
 * can run on the connection in between. That property is checked, not assumed: a unit during
 * which the event loop turned fails (UnitAwaitedIo). Units started together (`Promise.all`)
 * queue rather than nest.
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite'
  readonly inTransaction = false
  readonly #transaction: TransactionStore
  /** The unit in progress, which the next one waits for. */
  #current: Promise<unknown> | undefined
  readonly #bookkeeping: BookkeepingChanges
  readonly #checkpointedElsewhere = new Set<Promise<void>>()
  #autocheckpoint = 1000

  /**
   * `unitsMayAwait`: for a connection that serves one caller alone (an import's writer
   * thread), whose units may await I/O: no other statement can come between theirs.
   */
  constructor (readonly handle: Db, readonly options: { unitsMayAwait?: boolean } = {}) {
    this.#bookkeeping = new BookkeepingChanges(handle)
    this.#transaction = new TransactionStore(handle, this.#bookkeeping)
  }

  async transaction<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    while (this.#current !== undefined) await this.#current.catch(() => {})
    return await this.#serialised(this.#begin(), async (tx) => {
      const result = await work(tx)
      await runCommitWitness(tx)
      return result
    })
  }

  noteChange (): void {
    throw new Error('changes are noted by a unit of work: store.transaction(async (tx) => { … tx.noteChange(…) })')
  }

  async transactionIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    if (this.#current !== undefined) return undefined
    const client = this.handle.$client
    const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number
    // Nothing else runs on the connection while it waits for nothing.
    client.pragma('busy_timeout = 0')
    let statements: UnitStatements
    try {
      statements = this.#begin()
    } catch (error) {
      if (isBusy(error)) return undefined
      throw error
    } finally {
      client.pragma(`busy_timeout = ${busyTimeout}`)
    }
    return await this.#serialised(statements, work)
  }

  async bookkeepingIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    return await this.#bookkeeping.counted(async () => await this.transactionIfFree(work))
  }

  async bookkeeping<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    return await this.#bookkeeping.counted(async () => await this.transaction(work))
  }

  async writeStamp (): Promise<string> {
    return this.#bookkeeping.writeStamp()
  }

  /**
   * Runs `work`, which writes through another connection to the same file (an import's
   * writer thread), as if it were one of this connection's units: the units that follow wait
   * for it without holding the event loop (on this connection they would wait in SQLite's
   * busy_timeout, which blocks it), and `…IfFree` answer at once. Reads go on meanwhile, from
   * the last commit (WAL). Other processes' writers still wait in their busy_timeout.
   */
  async whileWritingElsewhere<T> (work: () => Promise<T>): Promise<T> {
    while (this.#current !== undefined) await this.#current.catch(() => {})
    const unit = work()
    this.#current = unit
    try {
      return await unit
    } finally {
      if (this.#current === unit) this.#current = undefined
    }
  }

  /**
   * Leaves the checkpoints of the WAL to another connection until `done` settles: one that
   * wrote much of it (an import's writer thread) and checkpoints it in its own thread, after
   * answering. This connection's automatic checkpoint, which would otherwise fall to its next
   * commit, runs on the event loop (1.3 s after a 20 k-article import). `close` waits for it.
   */
  checkpointsElsewhere (done: Promise<unknown>): void {
    const client = this.handle.$client
    if (this.#checkpointedElsewhere.size === 0) {
      this.#autocheckpoint = client.pragma('wal_autocheckpoint', { simple: true }) as number
      client.pragma('wal_autocheckpoint = 0')
    }
    const settled = done.then(() => {}, () => {}).finally(() => {
      this.#checkpointedElsewhere.delete(settled)
      if (this.#checkpointedElsewhere.size === 0 && client.open) client.pragma(`wal_autocheckpoint = ${this.#autocheckpoint}`)
    })
    this.#checkpointedElsewhere.add(settled)
  }

  async close (): Promise<void> {
    await Promise.all(this.#checkpointedElsewhere)
    this.handle.$client.close()
  }

  #begin (): UnitStatements {
    const statements = this.handle.$client.inTransaction ? asSavepoint : asTransaction
    this.handle.$client.exec(statements.begin)
    return statements
  }

  /** The unit just begun, as the one in progress until it ends. */
  async #serialised<T> (statements: UnitStatements, work: (tx: Store) => Promise<T>): Promise<T> {
    const unit = this.#within(statements, work)
    this.#current = unit
    try {
      return await unit
    } finally {
      if (this.#current === unit) this.#current = undefined
    }
  }

  /** `work` inside the transaction just begun, committed unless it throws or awaited I/O. */
  async #within<T> (statements: UnitStatements, work: (tx: Store) => Promise<T>): Promise<T> {
    const client = this.handle.$client
    let eventLoopTurned = false
    const turn = setImmediate(() => { eventLoopTurned = true })
    try {
      const result = await work(this.#transaction)
      await appendNotedChanges(this.#transaction, this.#transaction.takeNoted())
      if (eventLoopTurned && this.options.unitsMayAwait !== true) throw new UnitAwaitedIo()
      client.exec(statements.commit)
      return result
    } catch (error) {
      if (client.inTransaction) client.exec(statements.rollback)
      throw error
    } finally {
      this.#transaction.takeNoted()
      clearImmediate(turn)
    }
  }
}

/** The store a unit of work runs on: the same connection, where a transaction is a savepoint. */
class TransactionStore implements Store {
  readonly dialect = 'sqlite'
  readonly inTransaction = true
  #savepoints = 0
  /** What the unit in progress noted (units on a connection run one at a time). */
  #noted: Change[] = []

  constructor (readonly handle: Db, private readonly bookkept: BookkeepingChanges) {}

  async transaction<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    const client = this.handle.$client
    const name = `unit_${++this.#savepoints}`
    const notedBefore = this.#noted.length
    client.exec(`SAVEPOINT ${name}`)
    try {
      const result = await work(this)
      client.exec(`RELEASE ${name}`)
      return result
    } catch (error) {
      if (client.inTransaction) client.exec(`ROLLBACK TO ${name}; RELEASE ${name}`)
      this.#noted.length = notedBefore
      throw error
    } finally {
      this.#savepoints--
    }
  }

  noteChange (change: Change): void {
    this.#noted.push(change)
  }

  /** What the unit noted, handed over once: the next unit starts with nothing noted. */
  takeNoted (): Change[] {
    const noted = this.#noted
    this.#noted = []
    return noted
  }

  async transactionIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    return await this.transaction(work)
  }

  async bookkeepingIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    return await this.bookkeeping(work)
  }

  async bookkeeping<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    return await this.bookkept.counted(async () => await this.transaction(work))
  }

  async writeStamp (): Promise<string> {
    return this.bookkept.writeStamp()
  }

  async close (): Promise<void> {
    throw new Error('a unit of work cannot close the database')
  }
}

/** The SQLite connection behind a store, for what only SQLite has (its pragmas, online backup). */
export function sqliteHandle (store: Store): Db {
  if (store.dialect !== 'sqlite') throw new Error(`this needs SQLite; the database is ${store.dialect}`)
  return store.handle as Db
}
