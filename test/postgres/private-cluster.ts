import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import type { TapLike } from '../helper.js'

// PostgreSQL servers of a test's own, for what cannot be done to the suite's shared server
// (DATELINE_TEST_DATABASE_URL) while other test files use it: a streaming replica, a server
// stopped and started again. Each lives in a temporary folder on a free port, run as the
// postgres user by Debian's binaries (the tests run as root, which PostgreSQL refuses), with
// trust authentication on 127.0.0.1 only, and is stopped and removed at the test's teardown.

const run = promisify(execFile)
const binaries = '/usr/lib/postgresql/15/bin'

async function asPostgres (command: string, args: string[]): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', join(binaries, command), ...args])
  return stdout
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => { resolve(port) })
    })
  })
}

/** What makes a throwaway server start fast; durability is not what these tests are about. */
const quickSettings = {
  listen_addresses: "'127.0.0.1'",
  unix_socket_directories: "''",
  fsync: 'off',
  full_page_writes: 'off',
  shared_buffers: "'16MB'",
  max_connections: '60',
  autovacuum: 'off'
}

export class PrivateServer {
  readonly dataDir: string
  readonly #logFile: string

  /** Its data lives in `folder`, which it owns, beside its log. */
  constructor (private readonly folder: string, readonly port: number) {
    this.dataDir = join(folder, 'data')
    this.#logFile = join(folder, 'server.log')
  }

  /** The URL of `database` on this server, as the postgres user. */
  url (database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`
  }

  async start (): Promise<void> {
    await asPostgres('pg_ctl', ['start', '-w', '-s', '-D', this.dataDir, '-l', this.#logFile])
  }

  /** `fast` disconnects every client and shuts down cleanly; `immediate` is a crash. */
  async stop (mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await asPostgres('pg_ctl', ['stop', '-w', '-s', '-m', mode, '-D', this.dataDir])
  }

  /** The postmaster's pid, while it runs. */
  pid (): number | undefined {
    try {
      return Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    } catch {
      return undefined
    }
  }

  /** Runs one statement on a connection of its own. */
  async query<R extends pg.QueryResultRow = Record<string, unknown>> (text: string, values: unknown[] = [], database = 'postgres'): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database) })
    await client.connect()
    try {
      return (await client.query<R>(text, values)).rows
    } finally {
      await client.end()
    }
  }

  /** Stops it however it is (its postmaster killed if need be), then removes its folder. */
  async remove (): Promise<void> {
    const pid = this.pid()
    if (pid !== undefined) {
      await this.stop('immediate').catch(() => {
        try { process.kill(pid, 'SIGKILL') } catch {}
      })
    }
    rmSync(this.folder, { recursive: true, force: true })
  }
}

function settingsText (settings: Record<string, string>): string {
  return Object.entries(settings).map(([name, value]) => `${name} = ${value}\n`).join('')
}

/** A server in a new folder the postgres user owns, stopped and removed at teardown. */
async function newServer (t: TapLike): Promise<PrivateServer> {
  const folder = mkdtempSync(join(tmpdir(), 'dateline-pg-'))
  await run('chown', ['postgres:postgres', folder])
  const server = new PrivateServer(folder, await freePort())
  t.teardown(() => server.remove())
  return server
}

/**
 * A new PostgreSQL 15 server, running, with `settings` added to its configuration (values as
 * postgresql.conf writes them). Replication connections are trusted too.
 */
export async function privatePrimary (t: TapLike, settings: Record<string, string> = {}): Promise<PrivateServer> {
  const server = await newServer(t)
  await asPostgres('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions'])
  appendFileSync(join(server.dataDir, 'postgresql.conf'), settingsText({ ...quickSettings, port: String(server.port), ...settings }))
  writeFileSync(join(server.dataDir, 'pg_hba.conf'), 'host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n')
  await server.start()
  return server
}

/**
 * A streaming replica of `primary` (a base backup of it, `-R`: it follows the primary from
 * where the backup ends), running, on a port of its own. Hot standby is PostgreSQL's default:
 * it answers reads.
 */
export async function privateReplica (t: TapLike, primary: PrivateServer): Promise<PrivateServer> {
  const server = await newServer(t)
  await asPostgres('pg_basebackup', ['-D', server.dataDir, '-R', '-c', 'fast', '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'])
  appendFileSync(join(server.dataDir, 'postgresql.conf'), settingsText({ port: String(server.port) }))
  await server.start()
  return server
}
