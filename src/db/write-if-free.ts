import type { Db, Tx } from './client.js'

function isBusy (error: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code))
}

/**
 * Runs `write` in a transaction unless another connection holds the write lock, in which case
 * it answers false at once instead of waiting out busy_timeout: for housekeeping on timers and
 * after answers, which must never stall the event loop (and every request with it) behind a
 * writer in another process. better-sqlite3 is synchronous, so nothing else runs on the
 * connection while its busy_timeout is 0.
 */
export function writeIfFree (db: Db, write: (tx: Tx) => void): boolean {
  const client = db.$client
  const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number
  client.pragma('busy_timeout = 0')
  try {
    db.transaction(write)
    return true
  } catch (error) {
    if (isBusy(error)) return false
    throw error
  } finally {
    client.pragma(`busy_timeout = ${busyTimeout}`)
  }
}
