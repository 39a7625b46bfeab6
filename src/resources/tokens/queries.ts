import { queriesFor } from '../../db/store.js'
import type { tokens } from '../../db/schema.js'
import { postgresTokenQueries } from './queries.postgres.js'
import { sqliteTokenQueries } from './queries.sqlite.js'

export type TokenRow = typeof tokens.$inferSelect
export type NewTokenRow = typeof tokens.$inferInsert

export interface TokenQueries {
  insertToken: (row: NewTokenRow) => Promise<TokenRow>
  /** The token with this secret hash unless it is revoked (expiry is the service's to judge). */
  activeTokenBySecretHash: (secretHash: string) => Promise<TokenRow | undefined>
  allTokens: () => Promise<TokenRow[]>
  tokenById: (id: number) => Promise<TokenRow | undefined>
  markTokenUsed: (id: number, at: string) => Promise<void>
  /** Revokes the token; false when there is no such active token. */
  revokeToken: (id: number, at: string) => Promise<boolean>
  /** Tokens, or with `afterId` those with a greater id. */
  countTokens: (afterId?: number) => Promise<number>
  /** Tokens in id order, from after `afterId`. */
  pageOfTokens: (afterId: number | null, limit: number, offset: number) => Promise<TokenRow[]>
}

export const tokenQueries = queriesFor<TokenQueries>({ sqlite: sqliteTokenQueries, postgres: postgresTokenQueries })
