import { isIP } from 'node:net'
import { availableParallelism } from 'node:os'
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { previewSecretPrefix } from './lib/principal.js'

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

/** SQLite's `synchronous` levels Dateline offers (see src/db/client.ts for what each promises). */
export const synchronousLevels = ['normal', 'full'] as const
export type SynchronousLevel = (typeof synchronousLevels)[number]

export interface Config {
  port: number
  host: string
  /** An SQLite file path, `:memory:`, or a `postgres://` / `postgresql://` URL. */
  databaseUrl: string
  /** A streaming replica of the PostgreSQL primary that may serve reads; null: every read on the primary. */
  databaseReplicaUrl: string | null
  /** `full` also survives a power cut with every acknowledged write; `normal` survives a process crash. */
  synchronous: SynchronousLevel
  timezone: string
  locale: string
  demo: boolean
  /** Publish readers' comments without moderation. */
  commentsAutoApprove: boolean
  adminToken: string | null
  /** Origins whose scripts may write (POST/PATCH/DELETE); reads are open to every origin. */
  corsOrigins: string[]
  /** Comments one client may post per minute on one article. */
  commentRateLimit: number
  /** How deep replies nest: a reply to a comment this deep answers beside it instead. */
  commentDepth: number
  /** Searches (`GET /v1/articles?q=`) and, apart, suggestions one client may ask for per minute. */
  searchRateLimit: number
  /** Earlier versions kept per article, and per page. */
  revisionsKept: number
  /** Days a deleted article or page stays in the trash; 0 deletes at once. */
  trashDays: number
  /** Days the change log keeps its entries. */
  changesRetentionDays: number
  /** Webhooks may point at private, loopback and link-local addresses (development). */
  webhooksAllowPrivate: boolean
  /** Milliseconds one webhook delivery attempt may take, connection to answer. */
  webhookTimeout: number
  /** Largest JSON body, in bytes. */
  bodyLimit: number
  /** Largest import file (`POST /v1/import`), in bytes. */
  importLimit: number
  logLevel: LogLevel
  /** The blog's name, as feeds show it. */
  siteTitle: string
  /** A line about the blog, as feeds show it (may be empty). */
  siteDescription: string
  /** The public address of the blog's front end, without a trailing slash: feed and sitemap links start with it; null: they link to the API's JSON. */
  siteUrl: string | null
  /** Where the front end shows an article: a path with `{slug}` or `{id}`. */
  articlePath: string
  /** Where the front end shows a static page: a path with `{slug}` (the sitemap's links). */
  pagePath: string
  /** Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For is believed; empty: none. */
  trustProxy: string[]
  /** How long a request body may take to arrive, in ms (an upload: how long it may stall). */
  requestTimeout: number
  /** Open connections at most. */
  maxConnections: number
  /**
   * Milliseconds between SIGTERM and the start of draining, during which `/readyz` answers 503
   * and everything else is served: a load balancer's health checks take the instance out first.
   */
  drainDelay: number
  /** Server processes on the one port (`dateline serve`); 1 runs the server in this process. */
  workers: number
  /** Threads per server process running heavy reads on an SQLite file; 0: in the server's thread. */
  readWorkers: number
  /** Milliseconds a heavy read may take before it is answered 503. */
  readBudget: number
  /** Where rate limits and the bad-credential throttle are counted across instances; null: in each process. */
  redisUrl: string | null
  /** Where uploaded images are kept; null: beside an SQLite file (`data/dateline-media`), `data/media` with PostgreSQL. */
  mediaDir: string | null
  /** An S3-compatible bucket to keep images in instead of the folder; null: the folder. */
  mediaS3Bucket: string | null
  /** The S3 API's address for a store other than AWS (MinIO, Ceph, R2…); null: AWS's for the region. */
  mediaS3Endpoint: string | null
  mediaS3Region: string
  /** Keys in the bucket start with this (`media/`), so the bucket can hold other things; empty: none. */
  mediaS3Prefix: string
  /** Largest image upload, in bytes. */
  mediaMaxBytes: number
  /** Pixels an uploaded image may decode to (every frame of an animation counted). */
  mediaMaxPixels: number
  /** Image uploads one client may send per minute. */
  mediaRateLimit: number
}

// WordPress nests five levels by default and offers up to ten; the maximum keeps the nested
// answer (and the recursion that serialises it) small whatever a database holds.
export const defaultCommentDepth = 10
export const maxCommentDepth = 50

/** One setting: its environment name, the CLI flag that overrides it, and its default. */
interface Setting<K extends keyof Config> {
  key: K
  env: string
  flag: string
  fallback: string | null
  parse: (raw: string) => Config[K]
  secret?: boolean
  /** How a rejected value is quoted back (default: as it is); e.g. a URL without its password. */
  shown?: (raw: string) => string
}

export class ConfigError extends Error {
  /** `name` is what the user wrote: the variable (`PORT`) or the flag (`--port`). */
  constructor (name: string, shown: string, reason: string, secret = false) {
    // A rejected secret still must not reach a terminal or a log.
    super(`invalid setting ${name}${name.startsWith('--') ? ' ' : '='}${secret ? '(hidden)' : JSON.stringify(shown)}: ${reason}`)
    this.name = 'ConfigError'
  }
}

// Thrown by parsers; `readConfig` adds the setting's name and the raw value.
class Invalid extends Error {}

function parsePort (raw: string): number {
  if (!/^\d+$/.test(raw)) throw new Invalid('expected an integer from 0 to 65535')
  const port = Number(raw)
  if (port > 65535) throw new Invalid('expected an integer from 0 to 65535')
  return port
}

function parseNonEmpty (raw: string): string {
  if (raw.trim() === '') throw new Invalid('must not be empty')
  return raw.trim()
}

const postgresScheme = /^postgres(?:ql)?:\/\//i

/** Whether a DATABASE_URL names a PostgreSQL database (else an SQLite file or `:memory:`). */
export function isPostgresUrl (value: string): boolean {
  return postgresScheme.test(value)
}

/**
 * `url` as it may be printed: a password, in the user part or as `?password=`, becomes `***`.
 * Works on text that is not a valid URL too (the value a user is told is wrong), taking
 * everything before the last `@` as the user part: hosts have no `@`.
 */
export function redactDatabaseUrl (url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0]
  if (scheme === undefined) return url
  let rest = url.slice(scheme.length)
  const at = rest.lastIndexOf('@')
  if (at !== -1) {
    const user = rest.slice(0, at)
    const colon = user.indexOf(':')
    if (colon !== -1) rest = `${user.slice(0, colon)}:***${rest.slice(at)}`
  }
  return scheme + rest.replace(/([?&]password=)[^&#]*/gi, '$1***')
}

function parsePostgresUrl (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Invalid('not a valid PostgreSQL URL such as postgres://user:password@host:5432/database')
  }
  if (url.hostname === '' && !url.searchParams.has('host')) throw new Invalid('names no host: postgres://user@host:5432/database')
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (database === '' || database.includes('/')) throw new Invalid('must name one database after the host: postgres://user@host:5432/database')
  return value
}

function parseDatabaseUrl (raw: string): string {
  const value = parseNonEmpty(raw)
  if (isPostgresUrl(value)) return parsePostgresUrl(value)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Invalid('expected an SQLite file path, :memory:, or a postgres:// (postgresql://) URL')
  }
  return value
}

function parseReplicaUrl (raw: string): string | null {
  if (raw.trim() === '') return null
  const value = raw.trim()
  if (!isPostgresUrl(value)) throw new Invalid('expected a postgres:// (postgresql://) URL of a streaming replica of DATABASE_URL\'s server')
  return parsePostgresUrl(value)
}

function parseSynchronous (raw: string): SynchronousLevel {
  const value = raw.trim().toLowerCase()
  if (!(synchronousLevels as readonly string[]).includes(value)) throw new Invalid(`expected ${synchronousLevels.join(' or ')}`)
  return value as SynchronousLevel
}

function parseTimezone (raw: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw }).resolvedOptions().timeZone
  } catch {
    throw new Invalid('not an IANA time zone name (e.g. Europe/Berlin)')
  }
}

function parseLocale (raw: string): string {
  try {
    const [locale] = Intl.getCanonicalLocales(raw)
    if (locale === undefined) throw new Invalid('empty')
    return locale
  } catch {
    throw new Invalid('not a BCP 47 locale tag (e.g. en-US)')
  }
}

function parseBoolean (raw: string): boolean {
  const value = raw.trim().toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(value)) return true
  if (['false', '0', 'no', 'off'].includes(value)) return false
  throw new Invalid('expected true or false')
}

function parseAdminToken (raw: string): string | null {
  if (raw === '') return null
  // The admin token guards everything; a short one is guessable.
  if (raw.length < 24) throw new Invalid('must be at least 24 characters long')
  // The auth plugin reads such a token as a preview link's, never as the admin's.
  if (raw.startsWith(previewSecretPrefix)) throw new Invalid(`must not start with ${previewSecretPrefix}, which marks a preview link's token`)
  return raw
}

function parseOrigins (raw: string): string[] {
  const origins = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '')
  for (const origin of origins) {
    if (origin === '*') continue
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      throw new Invalid(`"${origin}" is not an origin such as https://blog.example.org`)
    }
    if (url.origin !== origin) throw new Invalid(`"${origin}" is not an origin: give scheme, host and port only, e.g. ${url.origin}`)
  }
  return origins
}

function integerFrom (min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) throw new Invalid(`expected an integer from ${min} to ${max}`)
    return Number(raw)
  }
}

function positiveInteger (max: number) {
  return integerFrom(1, max)
}

/** An absolute http(s) URL, or the reason it is not one. */
function httpUrl (raw: string, example: string): URL {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new Invalid(`not an absolute URL such as ${example}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Invalid('must be an http or https URL')
  return url
}

function parseSiteUrl (raw: string): string | null {
  // Unset or empty: no front end yet; feeds and the sitemap link to the API's own JSON.
  if (raw.trim() === '') return null
  const url = httpUrl(raw, 'https://blog.example.org')
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) throw new Invalid('must have no query string or fragment')
  if (url.username !== '' || url.password !== '') throw new Invalid('must not contain credentials')
  // Paths are appended to it, so `https://blog.example.org/` and `…org` are the same site.
  return url.href.replace(/\/+$/, '')
}

function parseArticlePath (raw: string): string {
  const path = raw.trim()
  if (!path.startsWith('/') || path.startsWith('//')) throw new Invalid('must be a path starting with a single /, e.g. /articles/{slug}')
  if (!path.includes('{slug}') && !path.includes('{id}')) throw new Invalid('must contain {slug} or {id}')
  // Two free-text parts side by side would make reading a path back (lib/site-paths.ts) cost its length squared.
  if (path.split('{slug}').length > 2) throw new Invalid('may contain {slug} only once')
  if (/[?#\s]/.test(path)) throw new Invalid('must be a path only, without spaces, query or fragment')
  const unknown = [...path.matchAll(/\{([^}]*)\}/g)].map((match) => match[1]).filter((name) => name !== 'slug' && name !== 'id')
  if (unknown.length > 0) throw new Invalid(`knows only {slug} and {id}, not {${unknown[0]}}`)
  return path
}

function parsePagePath (raw: string): string {
  const path = raw.trim()
  if (!path.startsWith('/') || path.startsWith('//')) throw new Invalid('must be a path starting with a single /, e.g. /{slug}')
  if (path.split('{slug}').length !== 2) throw new Invalid('must contain {slug} once')
  if (/[?#\s]/.test(path)) throw new Invalid('must be a path only, without spaces, query or fragment')
  const unknown = [...path.matchAll(/\{([^}]*)\}/g)].map((match) => match[1]).filter((name) => name !== 'slug')
  if (unknown.length > 0) throw new Invalid(`knows only {slug}, not {${unknown[0]}}`)
  return path
}

// proxy-addr's names for the private ranges, as Fastify's trustProxy takes them.
const proxyRangeNames = new Set(['loopback', 'linklocal', 'uniquelocal'])

function parseProxyAddress (entry: string): string {
  if (proxyRangeNames.has(entry)) return entry
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) throw new Invalid(`"${entry}" is not an address or CIDR range such as 10.0.0.2 or 10.0.0.0/8 (nor loopback, linklocal, uniquelocal)`)
  if (prefix === undefined) return entry
  const bits = family === 4 ? 32 : 128
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) throw new Invalid(`"${entry}": the prefix length must be from 1 to ${bits}`)
  // Trusting every address lets any client write its own X-Forwarded-For.
  if (Number(prefix) === 0) throw new Invalid(`"${entry}" trusts every address: list the proxies' addresses`)
  return entry
}

/**
 * Only addresses and ranges: `true` and hop counts (which Fastify also takes) believe whatever
 * a client that reaches the server directly writes in X-Forwarded-For.
 */
function parseTrustProxy (raw: string): string[] {
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')
  return entries.map(parseProxyAddress)
}

/** `auto` is one worker per core (what the machine gives this process: cgroup limits count). */
function parseWorkers (raw: string): number {
  if (raw.trim().toLowerCase() === 'auto') return availableParallelism()
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || Number(raw) > 256) throw new Invalid('expected auto (one per core) or an integer from 1 to 256')
  return Number(raw)
}

/**
 * One thread per core but the one the server's event loop runs on, at least one: on two
 * cores, one thread searches while the server answers everything else.
 */
export function defaultReadWorkers (): number {
  return Math.max(1, availableParallelism() - 1)
}

function parseReadWorkers (raw: string): number {
  if (raw.trim().toLowerCase() === 'auto') return defaultReadWorkers()
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > 64) throw new Invalid('expected auto (one per core but one) or an integer from 0 to 64')
  return Number(raw)
}

function parseRedisUrl (raw: string): string | null {
  if (raw.trim() === '') return null
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new Invalid('expected a URL such as redis://127.0.0.1:6379 (or rediss:// for TLS)')
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Invalid('expected a redis:// or rediss:// URL')
  return url.href
}

// S3's rules for a bucket's name (the ones every S3-compatible store accepts).
const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

function parseBucket (raw: string): string | null {
  const value = raw.trim()
  if (value === '') return null
  if (!bucketName.test(value)) throw new Invalid('expected a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens')
  return value
}

function parseS3Endpoint (raw: string): string | null {
  if (raw.trim() === '') return null
  const url = httpUrl(raw, 'http://127.0.0.1:9000')
  // The keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, never from a URL that is printed.
  if (url.username !== '' || url.password !== '') throw new Invalid('must not contain credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)')
  return url.href.replace(/\/+$/, '')
}

function parseRegion (raw: string): string {
  const value = raw.trim()
  if (!/^[a-z0-9-]{1,40}$/.test(value)) throw new Invalid('expected a region such as us-east-1')
  return value
}

function parseKeyPrefix (raw: string): string {
  const value = raw.trim().replace(/^\/+|\/+$/g, '')
  if (value === '') return ''
  if (!/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/.test(value) || value.split('/').some((segment) => /^\.+$/.test(segment))) {
    throw new Invalid('expected path segments of letters, digits, dots, hyphens and underscores, such as media/')
  }
  return `${value}/`
}

function parseLogLevel (raw: string): LogLevel {
  const value = raw.trim().toLowerCase()
  if (!(logLevels as readonly string[]).includes(value)) {
    throw new Invalid(`expected one of ${logLevels.join(', ')}`)
  }
  return value as LogLevel
}

const settings: { [K in keyof Config]: Setting<K> } = {
  port: { key: 'port', env: 'PORT', flag: 'port', fallback: '3000', parse: parsePort },
  host: { key: 'host', env: 'HOST', flag: 'host', fallback: '127.0.0.1', parse: parseNonEmpty },
  databaseUrl: { key: 'databaseUrl', env: 'DATABASE_URL', flag: 'database-url', fallback: './data/dateline.db', parse: parseDatabaseUrl, shown: redactDatabaseUrl },
  databaseReplicaUrl: { key: 'databaseReplicaUrl', env: 'DATABASE_REPLICA_URL', flag: 'database-replica-url', fallback: null, parse: parseReplicaUrl, shown: redactDatabaseUrl },
  synchronous: { key: 'synchronous', env: 'DATELINE_SYNCHRONOUS', flag: 'synchronous', fallback: 'normal', parse: parseSynchronous },
  timezone: { key: 'timezone', env: 'DATELINE_TIMEZONE', flag: 'timezone', fallback: 'UTC', parse: parseTimezone },
  locale: { key: 'locale', env: 'DATELINE_LOCALE', flag: 'locale', fallback: 'en-US', parse: parseLocale },
  demo: { key: 'demo', env: 'DATELINE_DEMO', flag: 'demo', fallback: 'true', parse: parseBoolean },
  commentsAutoApprove: { key: 'commentsAutoApprove', env: 'DATELINE_COMMENTS_AUTOAPPROVE', flag: 'comments-autoapprove', fallback: 'false', parse: parseBoolean },
  adminToken: { key: 'adminToken', env: 'DATELINE_ADMIN_TOKEN', flag: 'admin-token', fallback: null, parse: parseAdminToken, secret: true },
  corsOrigins: { key: 'corsOrigins', env: 'DATELINE_CORS_ORIGINS', flag: 'cors-origins', fallback: '', parse: parseOrigins },
  commentRateLimit: { key: 'commentRateLimit', env: 'DATELINE_COMMENT_RATE_LIMIT', flag: 'comment-rate-limit', fallback: '5', parse: positiveInteger(10_000) },
  commentDepth: { key: 'commentDepth', env: 'DATELINE_COMMENT_DEPTH', flag: 'comment-depth', fallback: String(defaultCommentDepth), parse: integerFrom(2, maxCommentDepth) },
  searchRateLimit: { key: 'searchRateLimit', env: 'DATELINE_SEARCH_RATE_LIMIT', flag: 'search-rate-limit', fallback: '120', parse: positiveInteger(1_000_000) },
  revisionsKept: { key: 'revisionsKept', env: 'DATELINE_REVISIONS_KEPT', flag: 'revisions-kept', fallback: '50', parse: positiveInteger(10_000) },
  trashDays: { key: 'trashDays', env: 'DATELINE_TRASH_DAYS', flag: 'trash-days', fallback: '30', parse: integerFrom(0, 3650) },
  changesRetentionDays: { key: 'changesRetentionDays', env: 'DATELINE_CHANGES_RETENTION_DAYS', flag: 'changes-retention-days', fallback: '90', parse: integerFrom(1, 3650) },
  webhooksAllowPrivate: { key: 'webhooksAllowPrivate', env: 'DATELINE_WEBHOOKS_ALLOW_PRIVATE', flag: 'webhooks-allow-private', fallback: 'false', parse: parseBoolean },
  webhookTimeout: { key: 'webhookTimeout', env: 'DATELINE_WEBHOOK_TIMEOUT', flag: 'webhook-timeout', fallback: '10000', parse: integerFrom(100, 60_000) },
  bodyLimit: { key: 'bodyLimit', env: 'DATELINE_BODY_LIMIT', flag: 'body-limit', fallback: String(1024 * 1024), parse: positiveInteger(100 * 1024 * 1024) },
  importLimit: { key: 'importLimit', env: 'DATELINE_IMPORT_LIMIT', flag: 'import-limit', fallback: String(512 * 1024 * 1024), parse: positiveInteger(8 * 1024 * 1024 * 1024) },
  logLevel: { key: 'logLevel', env: 'LOG_LEVEL', flag: 'log-level', fallback: 'info', parse: parseLogLevel },
  siteTitle: { key: 'siteTitle', env: 'DATELINE_SITE_TITLE', flag: 'site-title', fallback: 'Dateline', parse: parseNonEmpty },
  siteDescription: { key: 'siteDescription', env: 'DATELINE_SITE_DESCRIPTION', flag: 'site-description', fallback: '', parse: (raw) => raw.trim() },
  siteUrl: { key: 'siteUrl', env: 'DATELINE_SITE_URL', flag: 'site-url', fallback: null, parse: parseSiteUrl },
  articlePath: { key: 'articlePath', env: 'DATELINE_ARTICLE_PATH', flag: 'article-path', fallback: '/articles/{slug}', parse: parseArticlePath },
  pagePath: { key: 'pagePath', env: 'DATELINE_PAGE_PATH', flag: 'page-path', fallback: '/{slug}', parse: parsePagePath },
  trustProxy: { key: 'trustProxy', env: 'DATELINE_TRUST_PROXY', flag: 'trust-proxy', fallback: '', parse: parseTrustProxy },
  requestTimeout: { key: 'requestTimeout', env: 'DATELINE_REQUEST_TIMEOUT', flag: 'request-timeout', fallback: '30000', parse: integerFrom(100, 3_600_000) },
  maxConnections: { key: 'maxConnections', env: 'DATELINE_MAX_CONNECTIONS', flag: 'max-connections', fallback: '1024', parse: positiveInteger(1_000_000) },
  drainDelay: { key: 'drainDelay', env: 'DATELINE_DRAIN_DELAY', flag: 'drain-delay', fallback: '0', parse: integerFrom(0, 600_000) },
  workers: { key: 'workers', env: 'DATELINE_WORKERS', flag: 'workers', fallback: '1', parse: parseWorkers },
  readWorkers: { key: 'readWorkers', env: 'DATELINE_READ_WORKERS', flag: 'read-workers', fallback: 'auto', parse: parseReadWorkers },
  readBudget: { key: 'readBudget', env: 'DATELINE_READ_BUDGET', flag: 'read-budget', fallback: '10000', parse: integerFrom(10, 600_000) },
  redisUrl: { key: 'redisUrl', env: 'REDIS_URL', flag: 'redis-url', fallback: null, parse: parseRedisUrl, shown: redactDatabaseUrl },
  mediaDir: { key: 'mediaDir', env: 'DATELINE_MEDIA_DIR', flag: 'media-dir', fallback: null, parse: (raw) => raw.trim() === '' ? null : resolve(raw.trim()) },
  mediaS3Bucket: { key: 'mediaS3Bucket', env: 'DATELINE_MEDIA_S3_BUCKET', flag: 'media-s3-bucket', fallback: null, parse: parseBucket },
  mediaS3Endpoint: { key: 'mediaS3Endpoint', env: 'DATELINE_MEDIA_S3_ENDPOINT', flag: 'media-s3-endpoint', fallback: null, parse: parseS3Endpoint, shown: redactDatabaseUrl },
  mediaS3Region: { key: 'mediaS3Region', env: 'DATELINE_MEDIA_S3_REGION', flag: 'media-s3-region', fallback: 'us-east-1', parse: parseRegion },
  mediaS3Prefix: { key: 'mediaS3Prefix', env: 'DATELINE_MEDIA_S3_PREFIX', flag: 'media-s3-prefix', fallback: '', parse: parseKeyPrefix },
  mediaMaxBytes: { key: 'mediaMaxBytes', env: 'DATELINE_MEDIA_MAX_BYTES', flag: 'media-max-bytes', fallback: String(25 * 1024 * 1024), parse: positiveInteger(1024 * 1024 * 1024) },
  mediaMaxPixels: { key: 'mediaMaxPixels', env: 'DATELINE_MEDIA_MAX_PIXELS', flag: 'media-max-pixels', fallback: '100000000', parse: positiveInteger(1_000_000_000) },
  mediaRateLimit: { key: 'mediaRateLimit', env: 'DATELINE_MEDIA_RATE_LIMIT', flag: 'media-rate-limit', fallback: '60', parse: positiveInteger(1_000_000) }
}

/** The CLI flags that set a configuration value, e.g. `--port`. */
export const configFlags = Object.values(settings).map((setting) => setting.flag)

/** Each setting's variable, flag and default as text (null: none), for the help and the README's check. */
export const settingNames = Object.values(settings).map(({ env, flag, fallback }) => ({ env, flag, fallback }))

/**
 * Reads the configuration from the environment, with CLI flags (by their
 * kebab-case names) taking precedence. Throws a ConfigError naming the first bad setting.
 */
export function readConfig (env: NodeJS.ProcessEnv, flags: Record<string, string | undefined> = {}): Config {
  const config: Partial<Record<keyof Config, unknown>> = {}
  for (const setting of Object.values(settings) as Setting<keyof Config>[]) {
    const raw = rawValue(setting, env, flags)
    if (raw === null) {
      config[setting.key] = null
      continue
    }
    try {
      config[setting.key] = setting.parse(raw)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      throw settingError(setting, raw, error.message, flags)
    }
  }
  checkTogether(config as Config, env, flags)
  return config as Config
}

function rawValue (setting: Setting<keyof Config>, env: NodeJS.ProcessEnv, flags: Record<string, string | undefined>): string | null {
  return flags[setting.flag] ?? env[setting.env] ?? setting.fallback
}

function settingError (setting: Setting<keyof Config>, raw: string, reason: string, flags: Record<string, string | undefined>): ConfigError {
  // Name what the user typed: the flag when it came from one, else the variable.
  return new ConfigError(flags[setting.flag] === undefined ? setting.env : `--${setting.flag}`, setting.shown?.(raw) ?? raw, reason, setting.secret)
}

/** Settings that are each valid but not with one another. */
function checkTogether (config: Config, env: NodeJS.ProcessEnv, flags: Record<string, string | undefined>): void {
  // A replica is PostgreSQL's streaming replication: there is nothing to replicate an SQLite file to.
  if (config.databaseReplicaUrl !== null && !isPostgresUrl(config.databaseUrl)) {
    const setting = settings.databaseReplicaUrl as Setting<keyof Config>
    throw settingError(setting, rawValue(setting, env, flags)!, 'needs a PostgreSQL DATABASE_URL (the primary), and DATABASE_URL names an SQLite database', flags)
  }
}

/**
 * Where the database is: a file path resolved against the working directory; `:memory:` and
 * a PostgreSQL URL as they are.
 */
export function databasePath (databaseUrl: string, cwd = process.cwd()): string {
  if (databaseUrl === ':memory:' || isPostgresUrl(databaseUrl)) return databaseUrl
  const path = databaseUrl.replace(/^file:/, '')
  return isAbsolute(path) ? path : resolve(cwd, path)
}

/** `databasePath`, as it may be printed (a log line, a CLI message): without a password. */
export function printableDatabasePath (databaseUrl: string, cwd = process.cwd()): string {
  return redactDatabaseUrl(databasePath(databaseUrl, cwd))
}

/**
 * Where an SQLite file's images are kept unless `DATELINE_MEDIA_DIR` says: a folder beside it
 * named after it (`data/dateline.db` → `data/dateline-media`). Null for `:memory:` and
 * PostgreSQL, which have no place of their own on disk (see `mediaDirectoryFor`).
 */
export function mediaDirectoryBeside (databaseUrl: string, cwd = process.cwd()): string | null {
  const path = databasePath(databaseUrl, cwd)
  if (path === ':memory:' || isPostgresUrl(path)) return null
  return join(dirname(path), `${basename(path, extname(path))}-media`)
}

/** An S3-compatible bucket images are kept in, and where in it. */
export interface MediaBucketLocation {
  bucket: string
  /** null: AWS's own endpoint for the region. */
  endpoint: string | null
  region: string
  /** '' or segments ending in `/`. */
  prefix: string
}

/** Where a server keeps images: a bucket, or a folder (null: none, `:memory:`). */
export type MediaLocation = { bucket: MediaBucketLocation } | { folder: string | null }

/** The bucket when one is configured, else the folder `mediaDirectoryFor` names. */
export function mediaLocationFor (config: Pick<Config, 'mediaDir' | 'databaseUrl' | 'mediaS3Bucket' | 'mediaS3Endpoint' | 'mediaS3Region' | 'mediaS3Prefix'>, cwd = process.cwd()): MediaLocation {
  if (config.mediaS3Bucket === null) return { folder: mediaDirectoryFor(config, cwd) }
  return { bucket: { bucket: config.mediaS3Bucket, endpoint: config.mediaS3Endpoint, region: config.mediaS3Region, prefix: config.mediaS3Prefix } }
}

/** The media folder a server uses: the configured one, else beside its SQLite file, else `data/media` (PostgreSQL); null for `:memory:`. */
export function mediaDirectoryFor (config: Pick<Config, 'mediaDir' | 'databaseUrl'>, cwd = process.cwd()): string | null {
  if (config.mediaDir !== null) return config.mediaDir
  if (isPostgresUrl(config.databaseUrl)) return resolve(cwd, 'data/media')
  return mediaDirectoryBeside(config.databaseUrl, cwd)
}
