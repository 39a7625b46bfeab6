import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { TokenRole } from '../../db/schema.js'
import type { Store } from '../../db/store.js'
import { invalid } from '../../errors.js'
import { mapPage, readPage, type Page, type PageRequest } from '../../lib/list.js'
import { nowIso, toUtcIso } from '../../lib/time.js'
import type { Principal } from '../../lib/principal.js'
import { isVisibleText } from '../../lib/values.js'
import { authorQueries } from '../authors/queries.js'
import { tokenQueries, type TokenRow } from './queries.js'

export interface TokenSummary {
  id: number
  name: string
  role: TokenRole
  authorId: number | null
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
  revokedAt: string | null
}

// 32 random bytes: guessing is hopeless, so a fast unsalted hash is enough to keep the
// secret out of the database (a slow password hash would only slow every request).
export function hashSecret (secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

function newSecret (): string {
  return `dl_${randomBytes(32).toString('base64url')}`
}

function summary (row: TokenRow): TokenSummary {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    authorId: row.authorId,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt
  }
}

export interface NewToken {
  role: TokenRole
  name?: string
  /** The author's id or slug; required for, and only for, the `author` role. */
  author?: string
  expiresAt?: string | null
}

/**
 * Creates a token; the secret is returned here once and never again. `fieldPrefix` names
 * the input's fields in errors as the caller knows them (`body.` for the API).
 */
export async function createToken (store: Store, input: NewToken, fieldPrefix = ''): Promise<{ token: TokenSummary, secret: string }> {
  // The HTTP schema checks names already; the command line reaches this service without it.
  if (input.name !== undefined && !isVisibleText(input.name)) {
    throw invalid(`${fieldPrefix}name`, 'must have a visible character and no control characters')
  }
  let authorId: number | null = null
  if (input.role === 'author') {
    if (input.author === undefined) throw invalid(`${fieldPrefix}author`, 'is required for an author token')
    const author = await authorQueries(store).authorBySlugOrId(input.author)
    if (author === undefined) throw invalid(`${fieldPrefix}author`, `"${input.author}" is not an author`)
    authorId = author.id
  } else if (input.author !== undefined) {
    throw invalid(`${fieldPrefix}author`, `only author tokens are bound to an author, not ${input.role} tokens`)
  }

  const secret = newSecret()
  const row = await tokenQueries(store).insertToken({
    name: input.name?.trim() ?? `${input.role} token`,
    role: input.role,
    authorId,
    secretHash: hashSecret(secret),
    createdAt: nowIso(),
    expiresAt: input.expiresAt == null ? null : toUtcIso(input.expiresAt, `${fieldPrefix}expiresAt`)
  })
  return { token: summary(row), secret }
}

export async function listTokens (store: Store): Promise<TokenSummary[]> {
  return (await tokenQueries(store).allTokens()).map(summary)
}

/** A page of tokens, oldest first. */
export async function pageOfTokens (store: Store, request: PageRequest): Promise<Page<TokenSummary>> {
  const tokens = tokenQueries(store)
  const page = await readPage(request, [], {
    count: async (after) => await tokens.countTokens(after === undefined ? undefined : Number(after[0])),
    fetch: async (after, limit, offset) => await tokens.pageOfTokens(after === null ? null : Number(after[0]), limit, offset),
    cursorOf: (row) => [row.id]
  })
  return await mapPage(page, (rows) => rows.map(summary))
}

/** One token, revoked or not (never its secret: only the hash is stored), or null. */
export async function findToken (store: Store, id: number): Promise<TokenSummary | null> {
  const row = await tokenQueries(store).tokenById(id)
  return row === undefined ? null : summary(row)
}

export async function revokeToken (store: Store, id: number): Promise<boolean> {
  return await tokenQueries(store).revokeToken(id, nowIso())
}

// Writing `lastUsedAt` on every request would turn every read into a write.
const lastUsedResolutionMs = 60_000

function equalSecrets (given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** The principal a bearer secret stands for, or null when it is unknown, revoked or expired. */
export async function authenticate (store: Store, secret: string, adminToken: string | null, uses: TokenUses): Promise<Principal | null> {
  if (adminToken !== null && equalSecrets(secret, adminToken)) {
    return { role: 'admin', authorId: null, tokenId: null }
  }
  const row = await tokenQueries(store).activeTokenBySecretHash(hashSecret(secret))
  if (row === undefined) return null
  const now = nowIso()
  if (row.expiresAt !== null && row.expiresAt <= now) return null
  if (row.lastUsedAt === null || Date.parse(now) - Date.parse(row.lastUsedAt) > lastUsedResolutionMs) uses.note(row.id, now)
  return { role: row.role, authorId: row.authorId, tokenId: row.id }
}

// While another connection holds the write lock, the notes wait this long between tries.
const retryAfterBusyMs = 1000

/**
 * When tokens were last used, written off the request path: a request only notes the time in
 * memory, and the notes are written once the current I/O is done, without waiting for the
 * write lock (`bookkeepingIfFree`, which leaves the write stamp and every cache keyed on it alone). A lock held elsewhere (an import, a backup) leaves them for
 * the next try, so no read ever waits for a writer over a note of when a token was seen.
 */
export class TokenUses {
  readonly #pending = new Map<number, string>()
  #timer: NodeJS.Timeout | null = null
  #closed = false

  constructor (private readonly store: Store, private readonly onError: (error: unknown) => void) {}

  note (id: number, at: string): void {
    this.#pending.set(id, at)
    if (this.#closed) return
    this.#timer ??= setTimeout(() => { void this.#writeOrRetry() }, 0)
  }

  /** One last try, then no more (the app is closing): a note lost is a minute of resolution. */
  async close (): Promise<void> {
    this.#closed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    await this.#tryWrite()
  }

  async #writeOrRetry (): Promise<void> {
    this.#timer = null
    if (await this.#tryWrite()) return
    // A note taken while the write was tried may have set a timer already; closed, none is wanted.
    if (this.#closed) return
    this.#timer ??= setTimeout(() => { void this.#writeOrRetry() }, retryAfterBusyMs).unref()
  }

  /** Writes every note in one transaction unless the lock is taken; true when nothing is left to try. */
  async #tryWrite (): Promise<boolean> {
    if (this.#pending.size === 0) return true
    const notes = [...this.#pending]
    try {
      const written = await this.store.bookkeepingIfFree(async (tx) => {
        const tokens = tokenQueries(tx)
        for (const [id, at] of notes) await tokens.markTokenUsed(id, at)
        return true
      })
      if (written === undefined) return false
    } catch (error) {
      // Not worth a retry, nor a crash (this runs on a timer): the next use notes it again.
      this.onError(error)
    }
    for (const [id, at] of notes) if (this.#pending.get(id) === at) this.#pending.delete(id)
    return this.#pending.size === 0
  }
}
