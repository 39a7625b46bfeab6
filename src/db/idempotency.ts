import { queriesFor } from './store.js'
import type { idempotencyKeys } from './schema.js'
import { postgresIdempotencyQueries } from './idempotency.postgres.js'
import { sqliteIdempotencyQueries } from './idempotency.sqlite.js'

/** A kept answer to a POST sent with an `Idempotency-Key` (src/plugins/idempotency.ts). */
export type StoredAnswer = typeof idempotencyKeys.$inferSelect

export interface IdempotencyQueries {
  storedAnswer: (scope: string, key: string) => Promise<StoredAnswer | undefined>
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
