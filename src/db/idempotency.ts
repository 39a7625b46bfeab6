import { queriesFor } from './store.js'
import type { idempotencyKeys } from './schema.js'
import { postgresIdempotencyQueries } from './idempotency.postgres.js'
import { sqliteIdempotencyQueries } from './idempotency.sqlite.js'

/** A kept answer to a POST sent with an `Idempotency-Key` (src/plugins/idempotency.ts). */
export type StoredAnswer = typeof idempotencyKeys.$inferSelect

export { claimedStatus, committedStatus } from './idempotency-status.js'

export interface Claim {
  scope: string
  key: string
  /** The request's digest, or '' while a streamed body is still to be read. */
  requestDigest: string
  claimedAt: string
}

export interface IdempotencyQueries {
  storedAnswer: (scope: string, key: string) => Promise<StoredAnswer | undefined>
  /**
   * Takes the key for a request, atomically across instances: when it is free, expired
   * (kept since before `expiredBefore`), or claimed by a request whose work never committed
   * and whose claim was last renewed before `staleBefore`. False: another request has it.
   */
  claim: (claim: Claim, staleBefore: string, expiredBefore: string) => Promise<boolean>
  /** Moves the claims' times to `at`: their requests are still running. */
  renewClaims: (claims: Array<{ scope: string, key: string }>, at: string) => Promise<void>
  /** Records, inside the request's unit of work, that its work committed. */
  markCommitted: (scope: string, key: string) => Promise<void>
  /** Frees a claim whose request failed before any of its work committed. */
  releaseClaim: (scope: string, key: string) => Promise<void>
  /** Keeps the answer, replacing an earlier one under the same scope and key. */
  keepAnswer: (answer: StoredAnswer) => Promise<void>
  /** Deletes the answers kept since before `before`. */
  purgeExpired: (before: string) => Promise<void>
  /**
   * Versions before issue 15 kept a new token's whole answer, secret included: blanks those
   * answers, leaving no copy of the old bytes behind in the database's files.
   */
  forgetStoredSecrets: () => Promise<void>
}

export const idempotencyQueries = queriesFor<IdempotencyQueries>({ sqlite: sqliteIdempotencyQueries, postgres: postgresIdempotencyQueries })
