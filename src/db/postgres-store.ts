import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres'
import type { PgDatabase } from 'drizzle-orm/pg-core'
import { appendNotedChanges, type Change } from './change-log.js'
import { runCommitWitness } from './commit-witness.js'
import type { PostgresDb } from './postgres.js'
import type { Store } from './store.js'

/** A drizzle handle on PostgreSQL: the pool's, or one transaction's. */
export type PostgresHandle = PgDatabase<NodePgQueryResultHKT>

/**
 * What a retry can cure: another transaction won a race (serialization failure), two waited
 * for each other (deadlock), or two took the same unique value at once (a slug, a label), which
 * the unit's own check finds taken when it runs again.
 */
const retryableCodes = new Set(['40001', '40P01', '23505'])
const attempts = 5

/** A housekeeping unit waits at most this long for a row another writer holds. */
const housekeepingLockTimeout = '50ms'

function codeOf (error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

/** A little longer each time, and never in step with the transaction it collided with. */
async function backOff (attempt: number): Promise<void> {
  await sleep(Math.random() * 5 * 2 ** attempt)
}

/**
 * A unit that kept losing races to the last attempt. Answered as SQLite's busy database is (a
 * 503 with Retry-After, plugins/problem.ts): nothing was written, and the same request may
 * well pass a moment later.
 */
export class DatabaseContended extends Error {
  readonly code = 'DATELINE_DATABASE_BUSY'

  constructor (cause: unknown) {
    super(`a unit of work lost ${attempts} races in a row to concurrent writers`, { cause })
  }
}

/**
 * Runs `unit`, again when it failed for a reason a retry cures. A unit is all database work
 * and is re-run whole, so nothing it did in a failed attempt survives.
 */
async function withRetries<T> (unit: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await unit(attempt)
    } catch (error) {
      if (!retryableCodes.has(codeOf(error) ?? '')) throw error
      if (attempt >= attempts) throw new DatabaseContended(error)
      await backOff(attempt)
    }
  }
}

/**
 * Taken first by a unit run again after losing a race ("rtry" in ASCII), until it commits.
 * Ten units that took one slug at once would otherwise all run again at once, nine lose again
 * to the one that commits first, and the last would need ten attempts; in turn, each sees the
 * one before it committed. A unit waiting for it holds no row yet, so it joins no deadlock.
 */
const retryLock = 0x72747279

async function awaitTurnToRetry (tx: PostgresHandle): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${retryLock})`)
}

/**
 * Every unit of work that wrote ends by moving the write stamp, in the same transaction:
 * readers see it move exactly when the unit's writes become visible, on this instance or any
 * other. Last, so the row is locked only for the moment before COMMIT; every unit takes that
 * lock last, so it is in no deadlock. A unit that wrote nothing has no transaction id yet and
 * leaves the stamp (and every cache and ETag keyed on it) alone, as SQLite's does.
 */
async function moveWriteStamp (tx: PostgresHandle): Promise<void> {
  await tx.execute(sql`update write_stamp set stamp = stamp + 1 where id = 1 and txid_current_if_assigned() is not null`)
}

/**
 * PostgreSQL behind the `Store` interface. Units of work are READ COMMITTED transactions on
 * one pooled connection; a service that reads a row to change it reads it with the query
 * module's `…ForUpdate` method, which locks it, so concurrent editors queue on the row and
 * each sees the version the one before it wrote (`If-Match` then answers 412, never a lost
 * update).
 */
export class PostgresStore implements Store {
  readonly dialect = 'postgres'
  readonly inTransaction = false

  constructor (readonly handle: PostgresDb) {}

  async transaction<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    return await withRetries(async (attempt) => await this.handle.transaction(async (tx) => {
      if (attempt > 1) await awaitTurnToRetry(tx)
      const unit = new PostgresUnit(tx)
      const result = await work(unit)
      await runCommitWitness(unit)
      await appendNotedChanges(unit, unit.noted)
      await moveWriteStamp(tx)
      return result
    }))
  }

  noteChange (): void {
    throw new Error('changes are noted by a unit of work: store.transaction(async (tx) => { … tx.noteChange(…) })')
  }

  async bookkeeping<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    return await withRetries(async () => await this.handle.transaction(async (tx) => {
      const unit = new PostgresUnit(tx)
      const result = await work(unit)
      await appendNotedChanges(unit, unit.noted)
      return result
    }))
  }

  async transactionIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    return await this.#ifFree(work, true)
  }

  async bookkeepingIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    return await this.#ifFree(work, false)
  }

  async #ifFree<T> (work: (tx: Store) => Promise<T>, movesStamp: boolean): Promise<T | undefined> {
    try {
      return await this.handle.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local lock_timeout = '${housekeepingLockTimeout}'`))
        const unit = new PostgresUnit(tx)
        const result = await work(unit)
        await appendNotedChanges(unit, unit.noted)
        if (movesStamp) await moveWriteStamp(tx)
        return result
      })
    } catch (error) {
      // 55P03: a row was locked by another writer; the next reader's turn will do it.
      if (['55P03', ...retryableCodes].includes(codeOf(error) ?? '')) return undefined
      throw error
    }
  }

  async writeStamp (): Promise<string> {
    const { rows } = await this.handle.$client.query<{ stamp: string }>('select stamp from write_stamp where id = 1')
    return rows[0]!.stamp
  }

  async close (): Promise<void> {
    await this.handle.$client.end()
  }
}

/** A unit of work's store: its transaction's connection; a transaction inside it is a savepoint. */
class PostgresUnit implements Store {
  readonly dialect = 'postgres'
  readonly inTransaction = true

  /** `noted`: what the unit noted, shared with the savepoints inside it. */
  constructor (readonly handle: PostgresHandle, readonly noted: Change[] = []) {}

  async transaction<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    const notedBefore = this.noted.length
    try {
      return await this.handle.transaction(async (savepoint) => await work(new PostgresUnit(savepoint, this.noted)))
    } catch (error) {
      this.noted.length = notedBefore
      throw error
    }
  }

  noteChange (change: Change): void {
    this.noted.push(change)
  }

  async transactionIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    return await this.transaction(work)
  }

  async bookkeepingIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    return await this.transaction(work)
  }

  async bookkeeping<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    return await this.transaction(work)
  }

  async writeStamp (): Promise<string> {
    const { rows } = await this.handle.execute<{ stamp: string }>(sql`select stamp from write_stamp where id = 1`)
    return String(rows[0]!.stamp)
  }

  async close (): Promise<void> {
    throw new Error('a unit of work cannot close the database')
  }
}
