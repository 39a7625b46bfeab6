import type { TokenRole } from '../db/schema.js'
import { Forbidden, Unauthorized } from '../errors.js'

/** Who is making a request: the role and, for an `author` token, the author it acts as. */
export interface Principal {
  role: TokenRole
  authorId: number | null
  /** null for the configured `DATELINE_ADMIN_TOKEN`. */
  tokenId: number | null
}

const rank: Record<TokenRole, number> = { author: 1, editor: 2, admin: 3 }

/** Whether `principal` holds `role` or one above it (an anonymous reader holds none). */
export function hasRole (principal: Principal | null, role: TokenRole): boolean {
  return principal !== null && rank[principal.role] >= rank[role]
}

/**
 * Throws the 401 or 403 a caller without `role` gets: the routes' `requireRole` and each
 * operation of a batch refuse alike.
 */
export function assertRole (principal: Principal | null, role: TokenRole): void {
  if (principal === null) throw new Unauthorized('This needs a bearer token')
  if (!hasRole(principal, role)) throw new Forbidden(`This needs an ${role} token or above`)
}

/**
 * What tells a preview link's secret from an API token's (`dl_`) before any lookup: the auth
 * plugin reads it as a preview of one article, never as a role (and no admin token may start so).
 */
export const previewSecretPrefix = 'dlp_'

/**
 * What a preview link's secret grants (issue 22): reading one article, whatever its status,
 * by `GET /v1/articles/{id}`. It is no principal: anywhere else its bearer is an anonymous reader.
 */
export interface PreviewGrant {
  articleId: number
  previewId: number
}
