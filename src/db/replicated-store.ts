import { AsyncLocalStorage } from 'node:async_hooks'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { DatabaseUnusable } from './client.js'
import { PostgresStore } from './postgres-store.js'
import { postgresPool, type PostgresDb } from './postgres.js'
import { assertPrimaryFitsReplicas, checkReplica, primaryWalPosition, replayedWalPosition } from './replica.postgres.js'
import { databaseUnreachable } from './storage.js'
import type { Store } from './store.js'

/**
 * Where one request reads. Decided when it arrives; a request that then writes (a read that
 * publishes what is due) reads the primary from then on, where its own writes are.
 */
interface ReadSide { replica: boolean }

const readSides = new AsyncLocalStorage<ReadSide>()

/** Told when the replica stops serving reads (once per outage) and when it serves them again. */
export interface ReplicaEvents {
  down: (reason: unknown) => void
  up: () => void
}

/** How long a read waits for the replica to say how far it has replayed before it reads the primary instead. */
const replayedAnswerMs = 100
/** How often a replica that stopped serving reads is asked whether it can again. */
const probeIntervalMs = 1000
/**
 * A replica query with no answer by then fails on this side and runs on the primary: past
 * the statement timeout (10 s), so the server's own cancel comes first while it is there.
 */
const replicaQueryTimeoutMs = 15_000

// What a query that failed on the replica may be run again on the primary for: the replica
// was unreachable or went away (no SQLSTATE: the driver's own errors; 08…, 57P01–04), was
// short of resources (53…, 58…), cancelled the query to replay WAL (40001, 40P01: conflicts
// with recovery) or refused a write (25006). Anything else would fail on the primary as well.
const replicaCaused = /^(08...|57P0[1-4]|53...|58...|40001|40P01|25006)$/

function failedForTheReplica (error: unknown): boolean {
  if (databaseUnreachable(error)) return true
  return !(error instanceof pg.DatabaseError) || replicaCaused.test(error.code ?? '')
}

/** `promise`'s value, or undefined when it takes longer than `ms`. */
async function within<T> (promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(resolve, ms, undefined) })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A value fetched after the caller asked: callers who ask while a fetch runs share the next
 * one, which starts when that one ends. So at most two fetches are under way, however many
 * callers, and none gets a value fetched before it asked.
 */
class FetchAfterAsking<T> {
  #running: Promise<T> | undefined
  #next: Promise<T> | undefined

  constructor (private readonly fetch: () => Promise<T>) {}

  async get (): Promise<T> {
    if (this.#next !== undefined) return await this.#next
    if (this.#running === undefined) return await this.#start()
    const next = this.#running.then(() => this.#start(), () => this.#start())
    this.#next = next
    return await next
  }

  async #start (): Promise<T> {
    this.#next = undefined
    const running = this.fetch()
    this.#running = running
    const done = (): void => { if (this.#running === running) this.#running = undefined }
    running.then(done, done)
    return await running
  }
}

/**
 * What the replica's drizzle handle queries through: the replica's pool, and the primary's for
 * a query the replica could not answer (it went away, or cancelled the query to replay WAL),
 * so that a read never fails because of the replica. The rest of that request reads the primary.
 * drizzle and PostgresStore use only `query` and `end` of a pool outside units of work, and no
 * unit of work runs on the replica.
 */
class ReplicaClient {
  constructor (readonly pool: pg.Pool, private readonly primary: pg.Pool, private readonly failed: (error: unknown) => void) {}

  async query (config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(config, values)
    } catch (error) {
      if (!failedForTheReplica(error)) throw error
      this.failed(error)
      return await this.primary.query(config, values)
    }
  }

  async end (): Promise<void> {
    await this.pool.end()
  }
}

/**
 * PostgreSQL with a streaming replica that serves reads a client could not tell from the
 * primary's. Units of work, and every request that may write (not GET or HEAD), run on the
 * primary. A read request reads the replica only when, as it starts, the replica has replayed
 * the primary's WAL as far as the primary had written it after the request arrived: every
 * write acknowledged before then, through any instance, is there. Otherwise — the replica is
 * behind, unreachable, or failing — it reads the primary: it never waits for the replica to
 * catch up, and never fails because of it.
 *
 * The cost is one small query to the primary (its WAL position) per batch of concurrent
 * reads; the replica is asked how far it has replayed only when what it said last is not far
 * enough for a read (a position only moves forward).
 */
export class ReplicatedStore implements Store {
  readonly dialect = 'postgres'
  readonly inTransaction = false
  readonly #primary: PostgresStore
  readonly #replica: PostgresStore
  readonly #replicaPool: pg.Pool
  readonly #events: ReplicaEvents
  readonly #primaryPosition: FetchAfterAsking<bigint>
  /** How far the replica had replayed when it was last asked. */
  #replayed = 0n
  #askingReplayed: Promise<bigint | undefined> | undefined
  #serving = false
  /** Set while the replica is out: asks it every second whether it serves again. */
  #probing: NodeJS.Timeout | undefined
  #probeRunning = false
  #closed = false

  private constructor (primary: PostgresDb, replicaUrl: string, events: ReplicaEvents) {
    this.#primary = new PostgresStore(primary)
    this.#events = events
    this.#replicaPool = postgresPool(replicaUrl, {
      setting: 'DATABASE_REPLICA_URL',
      queryTimeoutMs: replicaQueryTimeoutMs,
      onIdleError: (error) => { this.#stopServing(error) }
    })
    const client = new ReplicaClient(this.#replicaPool, primary.$client, (error) => { this.#readPrimaryAfter(error) })
    this.#replica = new PostgresStore(drizzle(client as unknown as pg.Pool) as PostgresDb)
    this.#primaryPosition = new FetchAfterAsking(async () => await primaryWalPosition(primary.$client))
  }

  /**
   * The primary `primary` (migrated) with the replica at `replicaUrl`. A replica that cannot
   * serve Dateline (not a standby, of another server, a newer schema) is refused; one that does
   * not answer now is told to `events` and serves reads once it does.
   */
  static async open (primary: PostgresDb, replicaUrl: string, events: ReplicaEvents): Promise<ReplicatedStore> {
    await assertPrimaryFitsReplicas(primary.$client)
    const store = new ReplicatedStore(primary, replicaUrl, events)
    try {
      store.#startServing(await checkReplica(store.#replicaPool, primary.$client))
    } catch (error) {
      if (error instanceof DatabaseUnusable) {
        await store.#replicaPool.end()
        throw error
      }
      store.#stopServing(error)
    }
    return store
  }

  /** The side the current request reads; the primary outside a request, in one that wrote, and while the replica is out. */
  get #side (): PostgresStore {
    return this.#serving && readSides.getStore()?.replica === true ? this.#replica : this.#primary
  }

  get handle (): object {
    return this.#side.handle
  }

  /**
   * Runs `next` (the rest of a request that only reads) reading the replica when it holds every
   * write committed before now, else the primary.
   */
  readFromFreshest (next: () => void): void {
    void this.#replicaHoldsNow().catch(() => false).then((replica) => { readSides.run({ replica }, next) })
  }

  async #replicaHoldsNow (): Promise<boolean> {
    if (!this.#serving) return false
    let needed: bigint
    try {
      needed = await this.#primaryPosition.get()
    } catch {
      // The read fails on the primary the way every request does while it is away.
      return false
    }
    if (this.#replayed >= needed) return true
    const replayed = await within(this.#askReplayed(), replayedAnswerMs)
    return replayed !== undefined && replayed >= needed
  }

  /** Asks the replica how far it has replayed; reads that ask meanwhile share the answer (any answer is a lower bound). */
  async #askReplayed (): Promise<bigint | undefined> {
    this.#askingReplayed ??= replayedWalPosition(this.#replicaPool).then((replayed) => {
      if (replayed === null) {
        this.#stopServing(new Error('the replica is no longer a standby (promoted?)'))
        return undefined
      }
      if (replayed > this.#replayed) this.#replayed = replayed
      return replayed
    }, (error: unknown) => {
      this.#stopServing(error)
      return undefined
    }).finally(() => { this.#askingReplayed = undefined })
    return await this.#askingReplayed
  }

  /** A read on the replica failed: the request reads the primary from now on, and an unreachable replica is out. */
  #readPrimaryAfter (error: unknown): void {
    const side = readSides.getStore()
    if (side !== undefined) side.replica = false
    if (databaseUnreachable(error)) this.#stopServing(error)
  }

  #startServing (replayed: bigint): void {
    if (replayed > this.#replayed) this.#replayed = replayed
    this.#serving = true
    clearInterval(this.#probing)
    this.#probing = undefined
  }

  /** The replica is out until a probe finds it usable again; told once per outage. */
  #stopServing (reason: unknown): void {
    this.#serving = false
    if (this.#probing !== undefined || this.#closed) return
    this.#events.down(reason)
    this.#probing = setInterval(() => { void this.#probe() }, probeIntervalMs).unref()
  }

  async #probe (): Promise<void> {
    if (this.#probeRunning) return
    this.#probeRunning = true
    try {
      const replayed = await checkReplica(this.#replicaPool, this.#primary.handle.$client)
      if (this.#closed) return
      this.#startServing(replayed)
      this.#events.up()
    } catch {
      // Still out: told once, when it went.
    } finally {
      this.#probeRunning = false
    }
  }

  async transaction<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    this.#readPrimaryFromNow()
    return await this.#primary.transaction(work)
  }

  noteChange (): void {
    throw new Error('changes are noted by a unit of work: store.transaction(async (tx) => { … tx.noteChange(…) })')
  }

  async transactionIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    this.#readPrimaryFromNow()
    return await this.#primary.transactionIfFree(work)
  }

  /** Bookkeeping changes nothing a reader sees: the request may go on reading the replica. */
  async bookkeepingIfFree<T> (work: (tx: Store) => Promise<T>): Promise<T | undefined> {
    return await this.#primary.bookkeepingIfFree(work)
  }

  async bookkeeping<T> (work: (tx: Store) => Promise<T>): Promise<T> {
    return await this.#primary.bookkeeping(work)
  }

  /** From the side the request reads: the stamp is replicated with the writes it counts, so values kept against it are right on either. */
  async writeStamp (): Promise<string> {
    return await this.#side.writeStamp()
  }

  async close (): Promise<void> {
    this.#closed = true
    this.#serving = false
    clearInterval(this.#probing)
    await Promise.all([this.#replica.close(), this.#primary.close()])
  }

  /** A request that writes reads its own writes, on the primary, from now on. */
  #readPrimaryFromNow (): void {
    const side = readSides.getStore()
    if (side !== undefined) side.replica = false
  }
}
