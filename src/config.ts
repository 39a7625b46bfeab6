import { isAbsolute, resolve } from 'node:path'

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

export interface Config {
  port: number
  host: string
  /** A file path or `:memory:`. */
  databaseUrl: string
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
  /** Largest JSON body, in bytes. */
  bodyLimit: number
  logLevel: LogLevel
}

/** One setting: its environment name, the CLI flag that overrides it, and its default. */
interface Setting<K extends keyof Config> {
  key: K
  env: string
  flag: string
  fallback: string | null
  parse: (raw: string) => Config[K]
  secret?: boolean
}

export class ConfigError extends Error {
  constructor (env: string, raw: string, reason: string, secret = false) {
    // A rejected secret still must not reach a terminal or a log.
    super(`invalid setting ${env}=${secret ? '(hidden)' : JSON.stringify(raw)}: ${reason}`)
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

function parseDatabaseUrl (raw: string): string {
  const value = parseNonEmpty(raw)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new Invalid('only an SQLite file path or :memory: is supported in this version')
  }
  return value
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

function positiveInteger (max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1 || Number(raw) > max) throw new Invalid(`expected an integer from 1 to ${max}`)
    return Number(raw)
  }
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
  databaseUrl: { key: 'databaseUrl', env: 'DATABASE_URL', flag: 'database-url', fallback: './data/dateline.db', parse: parseDatabaseUrl },
  timezone: { key: 'timezone', env: 'DATELINE_TIMEZONE', flag: 'timezone', fallback: 'UTC', parse: parseTimezone },
  locale: { key: 'locale', env: 'DATELINE_LOCALE', flag: 'locale', fallback: 'en-US', parse: parseLocale },
  demo: { key: 'demo', env: 'DATELINE_DEMO', flag: 'demo', fallback: 'true', parse: parseBoolean },
  commentsAutoApprove: { key: 'commentsAutoApprove', env: 'DATELINE_COMMENTS_AUTOAPPROVE', flag: 'comments-autoapprove', fallback: 'false', parse: parseBoolean },
  adminToken: { key: 'adminToken', env: 'DATELINE_ADMIN_TOKEN', flag: 'admin-token', fallback: null, parse: parseAdminToken, secret: true },
  corsOrigins: { key: 'corsOrigins', env: 'DATELINE_CORS_ORIGINS', flag: 'cors-origins', fallback: '', parse: parseOrigins },
  commentRateLimit: { key: 'commentRateLimit', env: 'DATELINE_COMMENT_RATE_LIMIT', flag: 'comment-rate-limit', fallback: '5', parse: positiveInteger(10_000) },
  bodyLimit: { key: 'bodyLimit', env: 'DATELINE_BODY_LIMIT', flag: 'body-limit', fallback: String(1024 * 1024), parse: positiveInteger(100 * 1024 * 1024) },
  logLevel: { key: 'logLevel', env: 'LOG_LEVEL', flag: 'log-level', fallback: 'info', parse: parseLogLevel }
}

/** The CLI flags that set a configuration value, e.g. `--port`. */
export const configFlags = Object.values(settings).map((setting) => setting.flag)

/**
 * Reads the configuration from the environment, with CLI flags (by their
 * kebab-case names) taking precedence. Throws a ConfigError naming the first bad setting.
 */
export function readConfig (env: NodeJS.ProcessEnv, flags: Record<string, string | undefined> = {}): Config {
  const config: Partial<Record<keyof Config, unknown>> = {}
  for (const setting of Object.values(settings) as Setting<keyof Config>[]) {
    const raw = flags[setting.flag] ?? env[setting.env] ?? setting.fallback
    if (raw === null) {
      config[setting.key] = null
      continue
    }
    try {
      config[setting.key] = setting.parse(raw)
    } catch (error) {
      if (!(error instanceof Invalid)) throw error
      throw new ConfigError(setting.env, raw, error.message, setting.secret)
    }
  }
  return config as Config
}

/** Resolves a database file path against the working directory, leaving `:memory:` alone. */
export function databasePath (databaseUrl: string, cwd = process.cwd()): string {
  if (databaseUrl === ':memory:') return databaseUrl
  const path = databaseUrl.replace(/^file:/, '')
  return isAbsolute(path) ? path : resolve(cwd, path)
}
