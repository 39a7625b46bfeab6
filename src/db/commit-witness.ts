import { AsyncLocalStorage } from 'node:async_hooks'
import type { Store } from './store.js'

/**
 * A write that must commit with the request's own writes or not at all. The idempotency
 * plugin records in it that a keyed POST's work committed: should the process die before the
 * answer is kept, a retry is then told the first request succeeded, and one whose work never
 * committed may safely run again.
 */
export type CommitWitness = (tx: Store) => Promise<void>

interface RequestUnits { witness: CommitWitness | null }

// On Node 20 an AsyncLocalStorage in use costs every promise of the process (its async hooks),
// and requests that need one are few (POSTs with an Idempotency-Key): it is in use only while
// such a request runs, and disabled when the last one ends.
const requestUnits = new AsyncLocalStorage<RequestUnits>()
let running = 0

/**
 * Runs `next` (the rest of a request's life) where `witnessCommits` can register a witness;
 * call the function it answers when the request has ended.
 */
export function withRequestUnits (next: () => void): () => void {
  running++
  requestUnits.run({ witness: null }, next)
  let ended = false
  return () => {
    if (ended) return
    ended = true
    if (--running === 0) requestUnits.disable()
  }
}

/** From now on, every unit of work of this request ends by running `witness`, in its transaction. */
export function witnessCommits (witness: CommitWitness): void {
  const units = requestUnits.getStore()
  if (units === undefined) throw new Error('witnessCommits outside withRequestUnits')
  units.witness = witness
}

/**
 * Called by the stores as the last step of every top-level unit of work (not of housekeeping,
 * which is not the request's own work). Does nothing outside a request that registered one.
 */
export async function runCommitWitness (tx: Store): Promise<void> {
  await requestUnits.getStore()?.witness?.(tx)
}
