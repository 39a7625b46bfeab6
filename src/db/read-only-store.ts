import { writeStamp, type Db } from './client.js'
import type { Store } from './store.js'

/**
 * SQLite behind the `Store` interface on a read-only connection (a read worker's, see
 * src/read-workers/): the services' read paths run on it unchanged. Housekeeping they would
 * do on the way (publishing what came due) answers "the writer is busy" and is left to the
 * server's own connection, which did it before it handed the read over.
 */
export class ReadOnlySqliteStore implements Store {
  readonly dialect = 'sqlite'
  readonly inTransaction = false

  constructor (readonly handle: Db) {}

  async transaction<T> (): Promise<T> {
    throw new Error('a read-only store cannot run a unit of work')
  }

  noteChange (): void {
    throw new Error('changes are noted by a unit of work: store.transaction(async (tx) => { … tx.noteChange(…) })')
  }

  async transactionIfFree<T> (): Promise<T | undefined> {
    return undefined
  }

  async bookkeepingIfFree<T> (): Promise<T | undefined> {
    return undefined
  }

  async bookkeeping<T> (): Promise<T> {
    throw new Error('a read-only store cannot run a unit of work')
  }

  /**
   * `data_version` moves on this connection whenever another one commits, so values its
   * caches keep (UntilNextWrite) are dropped as soon as the writer has written anything.
   */
  async writeStamp (): Promise<string> {
    return writeStamp(this.handle)
  }

  /**
   * `work` in one read transaction: every statement in it reads the same snapshot, which
   * SQLite takes at the first read, so it holds every write committed before `reading` was
   * called (WAL: readers never wait for the writer, nor it for them).
   */
  async reading<T> (work: () => Promise<T>): Promise<T> {
    const client = this.handle.$client
    client.exec('BEGIN')
    try {
      return await work()
    } finally {
      client.exec('COMMIT')
    }
  }

  async close (): Promise<void> {
    this.handle.$client.close()
  }
}
