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

const requestUnits = new AsyncLocalStorage<RequestUnits>()

/** Runs `next` (the rest of a request's life) where `witnessCommits` can register a witness. */
export function withRequestUnits (next: () => void): void {
  requestUnits.run({ witness: null }, next)
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
