import { metaQueries } from './meta.js'
import type { Store } from './store.js'

// Writes that failed because of the storage, not the request: the disk (or the database's
// quota) is full, the file or its WAL turned read-only, the device failed. Retrying later may
// succeed, so these are 503s, and the database is not ready until a write goes through again.
// PostgreSQL's: disk_full, io_error, and read_only_sql_transaction (the server became a
// standby, as after a fail-over).
const storageCodes = /^(SQLITE_(FULL|READONLY|IOERR|CANTOPEN)(_|$)|53100$|58030$|25006$)/

// The database server cannot be reached or refuses this client (PostgreSQL; SQLite is
// in-process): a connection refused, reset or timed out; connection_exception (08…);
// admin_shutdown, crash_shutdown, cannot_connect_now (57P01–03); too_many_connections (53300);
// the database gone (3D000) or the login refused (28000, 28P01: a rotated password).
const unreachableCodes = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|08[0-9A-Z]{3}|57P0[123]|53300|3D000|28000|28P01)$/
// node-postgres says the first three without a code (the second: a unit's ROLLBACK on a
// connection the server dropped); the last is a database closed to connections (ALTER DATABASE … ALLOW_CONNECTIONS false), whose code (55000) says much less.
const unreachableMessages = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|database ".*" is not currently accepting connections)/

function* causes (error: unknown): Generator<{ code?: unknown, message?: unknown }> {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    yield current as { code?: unknown, message?: unknown }
  }
}

/** The database's code when `error` (or its cause: drizzle wraps the driver's) is a storage failure. */
export function storageFailure (error: unknown): string | null {
  for (const { code } of causes(error)) {
    if (typeof code === 'string' && storageCodes.test(code)) return code
  }
  return null
}

/** Whether `error` says the database server could not be reached (nothing of the request was written). */
export function databaseUnreachable (error: unknown): boolean {
  for (const { code, message } of causes(error)) {
    if (typeof code === 'string' && unreachableCodes.test(code)) return true
    if (typeof message === 'string' && unreachableMessages.test(message)) return true
  }
  return false
}

const failing = new WeakMap<Store, string>()

/** Remembers that `store` could not take a write, until `writable` sees one succeed. */
export function markUnwritable (store: Store, code: string): void {
  failing.set(store, code)
}

// Larger than a page, so the probe needs pages of its own, as a new article would.
const probeValue = 'x'.repeat(12 * 1024)

/**
 * Whether `store` takes writes. Nothing is written while no write has failed; after one has, each
 * call tries a small committed write (the readiness probe), and the first that succeeds clears it.
 */
export async function writable (store: Store): Promise<{ ok: true } | { ok: false, code: string }> {
  const code = failing.get(store)
  if (code === undefined) return { ok: true }
  try {
    await store.transaction(async (tx) => {
      const meta = metaQueries(tx)
      await meta.remove('storage-probe')
      await meta.write('storage-probe', probeValue)
    })
  } catch (error) {
    const still = storageFailure(error)
    if (still === null) throw error
    failing.set(store, still)
    return { ok: false, code: still }
  }
  failing.delete(store)
  return { ok: true }
}
