import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { Writable } from 'node:stream'
import { serve } from '../cluster.js'
import { ConfigError, configFlags, databasePath, mediaLocationFor, printableDatabasePath, readConfig, type Config } from '../config.js'
import { withStore } from '../db/open.js'
import { describePostgres, isPostgresUrl } from '../db/postgres.js'
import { tokenRoles, type TokenRole } from '../db/schema.js'
import type { Store } from '../db/store.js'
import { seedDemo } from '../demo/seed.js'
import { mediaFolderBeside } from '../resources/media/storage.js'
import { withMediaStore } from '../resources/media/stores.js'
import { importFormats, type ImportFormat } from '../resources/import/records.js'
import { backupDatabase, knownMigrationCount, restoreDatabase } from './backup.js'
import { backupPostgres, restorePostgres } from './backup.postgres.js'
import { copyToFolder, restoreMedia } from './media-backup.js'
import { writeOpenApi } from './openapi.js'
import { describeReport, exportCommand, importCommand } from './transfer.js'
import { describeSummary, mediaFetchCommand } from './media.js'
import { createToken, listTokens, revokeToken } from '../resources/tokens/service.js'

export interface CliIo {
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
}

/** Words joined by ", " into lines of at most `width` characters, each starting with `indent`. */
function wrap (words: string[], indent: string, width: number): string {
  const lines: string[] = []
  let line = ''
  for (const word of words) {
    if (line !== '' && indent.length + line.length + word.length + 2 > width) {
      lines.push(`${indent}${line},`)
      line = ''
    }
    line = line === '' ? word : `${line}, ${word}`
  }
  return [...lines, `${indent}${line}`].join('\n')
}

const usage = `Usage: dateline <command> [options]

Commands:
  serve                         start the HTTP server (migrates first)
  migrate                       apply database migrations
  seed                          fill an empty database with the demo blog
  openapi [--out <folder>]      write openapi.json and openapi.yaml (default folder: openapi)
  token create --role <admin|editor|author> [--author <id|slug>] [--name <label>] [--expires-at <RFC 3339>]
                                create an API token; the secret is printed once
  token list                    list tokens (never their secrets)
  token revoke <id>             revoke a token at once
  import <file> [--dry-run] [--format <name>] [--json]
                                import a Blogger, WordPress (WXR) or Dateline (NDJSON) export;
                                formats: blogger-legacy, blogger-2018, blogger-api, wxr, ndjson
  export [<file>]               write everything as NDJSON (to stdout without a file)
  media fetch [--allow-private] download the files of imported images (external media items) into
                                the media folder, resized as uploads are; an item that fails stays
                                external; --allow-private allows private and loopback addresses
  backup <file> [--force]       copy the database to <file>, online (the server may be running);
                                on PostgreSQL with pg_dump (custom format)
  restore <file> [--force]      replace the database with a backup, after checking it;
                                --force replaces an existing database (never one in use);
                                on PostgreSQL with pg_restore, into an existing database

Settings come from the environment; these flags override them (see the README's table):
${wrap(configFlags.map((flag) => `--${flag}`), '  ', 100)}
`

class UsageError extends Error {}

// Every setting's flag, from the one list in config.ts, so none can be documented yet refused.
const settingOptions = Object.fromEntries(configFlags.map((flag) => [flag, { type: 'string' as const }]))

const options = {
  ...settingOptions,
  role: { type: 'string' },
  author: { type: 'string' },
  name: { type: 'string' },
  'expires-at': { type: 'string' },
  out: { type: 'string' },
  'dry-run': { type: 'boolean' },
  format: { type: 'string' },
  json: { type: 'boolean' },
  force: { type: 'boolean' },
  'allow-private': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

/** Runs `work` on the configured database, opened and migrated as the server opens it, then closed. */
async function withDatabase<T> (config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  return await withStore(databasePath(config.databaseUrl), { synchronous: config.synchronous, timezone: config.timezone }, work)
}

function parseFormat (raw: string | boolean | undefined): ImportFormat | undefined {
  if (raw === undefined) return undefined
  if (!(importFormats as readonly unknown[]).includes(raw)) throw new UsageError(`--format must be one of ${importFormats.join(', ')}`)
  return raw as ImportFormat
}

async function importFileCommand (config: Config, args: string[], values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const [file] = args
  if (file === undefined) throw new UsageError('import needs a file')
  const format = parseFormat(values.format)
  const report = await withDatabase(config, async (store) => await importCommand(store, config, { file, dryRun: values['dry-run'] === true, ...(format === undefined ? {} : { format }) }, io.stderr))
  io.stdout.write(values.json === true ? JSON.stringify(report, null, 2) + '\n' : describeReport(report))
  return 0
}

const images = (count: number) => `${count} image${count === 1 ? '' : 's'}`

/**
 * The database, then its images into `<file>.media/`. The images are copied before the
 * database as well as after: an image is written before its row and deleted after it, so every
 * row the backup holds finds its files in one of the two passes (unless the image was deleted
 * between the database's copy and the second pass, right after being uploaded).
 */
async function backupCommand (config: Config, args: string[], values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const [file] = args
  if (file === undefined) throw new UsageError('backup needs a file to write')
  const source = databasePath(config.databaseUrl)
  const mediaTarget = mediaFolderBeside(file)
  await withMediaStore(mediaLocationFor(config), async (media) => {
    if (media !== null && values.force === true) await rm(mediaTarget, { recursive: true, force: true })
    const before = media === null ? null : await copyToFolder(media, mediaTarget)
    if (isPostgresUrl(source)) {
      const report = await backupPostgres(source, file, { force: values.force === true })
      io.stdout.write(`Backed up ${describePostgres(source)} to ${report.file} (pg_dump custom format, ${report.bytes} bytes).\n`)
    } else {
      const report = await backupDatabase(source, file, { force: values.force === true })
      io.stdout.write(`Backed up ${source} to ${report.file} (${report.pages} pages, ${report.bytes} bytes).\n`)
    }
    if (media === null || before === null) return
    const after = await copyToFolder(media, mediaTarget)
    if (before.images + after.images > 0) io.stdout.write(`Backed up the images of ${media.location} to ${mediaTarget} (${images(before.images + after.images)}, ${before.bytes + after.bytes} bytes).\n`)
  })
  return 0
}

async function restoreCommand (config: Config, args: string[], values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const [file] = args
  if (file === undefined) throw new UsageError('restore needs a backup file')
  const target = databasePath(config.databaseUrl)
  const options = { force: values.force === true }
  const report = isPostgresUrl(target) ? await restorePostgres(file, target, options) : restoreDatabase(file, target, options)
  const pending = knownMigrationCount(target) - report.migrations
  io.stdout.write(`Restored ${report.target} from ${file}${pending > 0 ? ` (${pending} migration${pending === 1 ? '' : 's'} to apply at the next start)` : ''}.\n`)
  if (existsSync(mediaFolderBeside(file))) {
    await withMediaStore(mediaLocationFor(config), async (media) => {
      if (media === null) return
      const copied = await restoreMedia(mediaFolderBeside(file), media)
      if (copied.images > 0) io.stdout.write(`Restored ${images(copied.images)} to ${media.location}.\n`)
    })
  }
  return 0
}

async function mediaCommand (config: Config, args: string[], values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const [action] = args
  if (action !== 'fetch') throw new UsageError('media needs fetch')
  const summary = await withDatabase(config, async (store) => await mediaFetchCommand(store, config, { allowPrivateTargets: values['allow-private'] === true }, io.stderr))
  io.stdout.write(describeSummary(summary))
  // A failure is worth a script's notice: the items it names are still only addresses.
  return summary.failed === 0 ? 0 : 1
}

function parseRole (raw: string | undefined): TokenRole {
  if (raw === undefined) throw new UsageError('token create needs --role admin|editor|author')
  if (!(tokenRoles as readonly string[]).includes(raw)) throw new UsageError(`--role must be one of ${tokenRoles.join(', ')}, not "${raw}"`)
  return raw as TokenRole
}

function parseExpiry (raw: string | undefined): string | null {
  if (raw === undefined) return null
  if (Number.isNaN(Date.parse(raw))) throw new UsageError(`--expires-at must be an RFC 3339 timestamp, not "${raw}"`)
  return raw
}

async function tokenCommand (config: Config, args: string[], values: Record<string, string | boolean | undefined>, io: CliIo): Promise<number> {
  const [action, ...rest] = args
  if (action === 'create') {
    const role = parseRole(values.role as string | undefined)
    const { token, secret } = await withDatabase(config, async (store) => await createToken(store, {
      role,
      ...(values.author === undefined ? {} : { author: values.author as string }),
      ...(values.name === undefined ? {} : { name: values.name as string }),
      expiresAt: parseExpiry(values['expires-at'] as string | undefined)
    }))
    // The secret alone on stdout, so scripts can capture it; the rest is for people.
    io.stderr.write(`Created ${token.role} token ${token.id} (${token.name}). Keep the secret now: it is not shown again.\n`)
    io.stdout.write(`${secret}\n`)
    return 0
  }
  if (action === 'list') {
    const tokens = await withDatabase(config, listTokens)
    io.stdout.write('id\trole\tauthor\tname\tcreated\tlast used\tstate\n')
    for (const token of tokens) {
      const state = token.revokedAt !== null ? 'revoked' : token.expiresAt !== null && token.expiresAt <= new Date().toISOString() ? 'expired' : 'active'
      io.stdout.write(`${token.id}\t${token.role}\t${token.authorId ?? '-'}\t${token.name}\t${token.createdAt}\t${token.lastUsedAt ?? '-'}\t${state}\n`)
    }
    return 0
  }
  if (action === 'revoke') {
    const id = rest[0]
    if (id === undefined || !/^\d+$/.test(id)) throw new UsageError('token revoke needs a token id (see token list)')
    const revoked = await withDatabase(config, async (store) => await revokeToken(store, Number(id)))
    if (!revoked) {
      io.stderr.write(`dateline: there is no active token ${id}\n`)
      return 1
    }
    io.stdout.write(`Revoked token ${id}.\n`)
    return 0
  }
  throw new UsageError('token needs one of: create, list, revoke')
}

async function run (argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  const [command, ...args] = positionals
  if (values.help === true || command === undefined || command === 'help') {
    io.stdout.write(usage)
    return command === undefined && values.help !== true ? 1 : 0
  }
  const config = readConfig(io.env, values as Record<string, string | undefined>)
  switch (command) {
    case 'serve':
      await serve(config)
      return 0
    case 'migrate':
      await withDatabase(config, async () => {})
      io.stdout.write(`Migrated ${printableDatabasePath(config.databaseUrl)}.\n`)
      return 0
    case 'seed': {
      const seeded = await withDatabase(config, async (store) => await withMediaStore(mediaLocationFor(config), async (media) => await seedDemo(store, config, media)))
      io.stdout.write(seeded ? 'Added the demo blog.\n' : 'The database has content already; left it alone.\n')
      return 0
    }
    case 'openapi': {
      const files = await writeOpenApi(typeof values.out === 'string' ? values.out : 'openapi')
      io.stdout.write(`Wrote ${files.join(' and ')}.\n`)
      return 0
    }
    case 'token':
      return await tokenCommand(config, args, values, io)
    case 'import':
      return await importFileCommand(config, args, values, io)
    case 'export':
      await withDatabase(config, async (store) => {
        const summary = await exportCommand(store, config, args[0], io.stdout)
        if (summary.originals !== null) io.stderr.write(`Exported to ${args[0]!}; ${images(summary.originals.count)} (originals) in ${summary.originals.folder}/\n`)
      })
      return 0
    case 'media':
      return await mediaCommand(config, args, values, io)
    case 'backup':
      return await backupCommand(config, args, values, io)
    case 'restore':
      return await restoreCommand(config, args, values, io)
    default:
      throw new UsageError(`unknown command "${command}"`)
  }
}

/** Runs the CLI; returns the exit code. Errors a user can fix are one line, never a stack. */
export async function runCli (argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.stderr.write(`dateline: ${error.message}\n${error instanceof UsageError ? 'Run "dateline --help" for usage.\n' : ''}`)
      return 2
    }
    const code = (error as { code?: string }).code
    // The reader of our output went away (`dateline export | head`): as for any Unix tool, not an error.
    if (code === 'EPIPE') return 0
    if (typeof code === 'string' && (code.startsWith('DATELINE_') || code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`dateline: ${(error as Error).message}\n`)
      return 2
    }
    // Start-up failures (port in use, unreadable database…) are one line for the operator.
    // Only the first line: drizzle's "Failed query: …" goes on with the SQL and its parameters.
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]
    io.stderr.write(`dateline: ${message}${code === undefined ? '' : ` (${code})`}\n`)
    return 1
  }
}
