import { metaQueries } from './meta.js'
import type { Store } from './store.js'

// Writes that failed because of the storage, not the request: the disk (or the database's
// quota) is full, the file or its WAL turned read-only, the device failed. Retrying later may
// succeed, so these are 503s, and the database is not ready until a write goes through again.
const storageCodes = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)(_|$)/

/** The SQLite code when `error` (or its cause: drizzle wraps the driver's) is a storage failure. */
export function storageFailure (error: unknown): string | null {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && storageCodes.test(code)) return code
  }
  return null
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
