// The cluster test's own PostgreSQL, Redis and HAProxy, as child processes on free ports: the
// machine's shared PostgreSQL (5432) and Redis (6379), which other test files use at the same
// time, are never touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { TapLike } from '../helper.js'
import { freePort, host, until, type Exit } from '../reliability/server-process.js'

const run = promisify(execFile)
const postgresBin = '/usr/lib/postgresql/15/bin'
export const haproxyConfig = fileURLToPath(new URL('../../deploy/haproxy.cfg', import.meta.url))

/** A child process and what it printed, for failure messages. */
export interface Child {
  process: ChildProcess
  output: () => string
  exited: Promise<Exit>
}

function spawnChild (t: TapLike, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const exited = new Promise<Exit>((resolve) => { child.once('exit', (code, signal) => resolve({ code, signal })) })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  return { process: child, output: () => output, exited }
}

export interface PrivatePostgres {
  url: string
  port: number
  /** `pg_ctl stop -m fast`: sessions are ended, the server shuts down cleanly. */
  stop: () => Promise<void>
  start: () => Promise<void>
}

/** `pg_ctl …` as the postgres user (initdb and the server refuse root). */
async function pgCtl (args: string[]): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', join(postgresBin, 'pg_ctl'), ...args])
}

const clusterPrefix = 'dateline-cluster-pg-'
/** Older than the test may run: its process was killed before its teardown. */
const orphanAgeMs = 30 * 60 * 1000

/** Stops and removes the clusters of earlier runs that died without tearing down (pg_ctl's server outlives them). */
async function removeOrphans (): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(clusterPrefix))) {
    const dir = join(tmpdir(), name)
    if (Date.now() - statSync(dir).mtimeMs < orphanAgeMs) continue
    await pgCtl(['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-w']).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * A PostgreSQL 15 cluster of the test's own in a temp folder, on a free port, trust
 * authentication, its socket in that folder. Durability is not under test (a fast shutdown
 * writes everything out anyway), so fsync is off. Torn down with the test.
 */
export async function startPostgres (t: TapLike): Promise<PrivatePostgres> {
  await removeOrphans()
  const dir = mkdtempSync(join(tmpdir(), clusterPrefix))
  const { stdout: uid } = await run('id', ['-u', 'postgres'])
  const { stdout: gid } = await run('id', ['-g', 'postgres'])
  chownSync(dir, Number(uid), Number(gid))
  const data = join(dir, 'data')
  const port = await freePort()
  await run('runuser', ['-u', 'postgres', '--', join(postgresBin, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  writeFileSync(join(data, 'postgresql.auto.conf'), [
    `port = ${port}`,
    `listen_addresses = '${host}'`,
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'full_page_writes = off',
    'max_connections = 100'
  ].join('\n') + '\n')
  chownSync(join(data, 'postgresql.auto.conf'), Number(uid), Number(gid))
  const log = join(dir, 'server.log')
  const start = async (): Promise<void> => { await pgCtl(['start', '-D', data, '-l', log, '-w', '-t', '30']) }
  const stop = async (): Promise<void> => { await pgCtl(['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']) }
  t.teardown(async () => {
    await pgCtl(['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })
  await start()
  return { url: `postgres://postgres@${host}:${port}/postgres`, port, stop, start }
}

export interface PrivateRedis {
  port: number
  child: Child
}

/** `redis-cli -p <port> <args>`'s answer. */
export async function redisCli (port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', host, '-p', String(port), ...args])
  return stdout
}

/** A redis-server of the test's own, in the foreground, nothing saved; again on `port` when given. */
export async function startRedis (t: TapLike, port?: number): Promise<PrivateRedis> {
  const chosen = port ?? await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'dateline-cluster-redis-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const child = spawnChild(t, 'redis-server', ['--port', String(chosen), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir])
  await until(10_000, `redis-server answering on ${chosen} (${child.output()})`, async () => {
    if (child.process.exitCode !== null) throw new Error(`redis-server exited:\n${child.output()}`)
    return await redisCli(chosen, 'ping').then((answer) => answer.trim() === 'PONG', () => false)
  })
  return { port: chosen, child }
}

export interface Proxy {
  port: number
  statsPort: number
  child: Child
}

/**
 * HAProxy in the foreground (`-db`) with deploy/haproxy.cfg as it is, pointed at `backends`
 * (host:port) through the variables the file reads.
 */
export async function startHaproxy (t: TapLike, backends: string[]): Promise<Proxy> {
  const port = await freePort()
  const statsPort = await freePort()
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATELINE_PROXY_BIND: `${host}:${port}`,
    DATELINE_STATS_BIND: `${host}:${statsPort}`,
    ...Object.fromEntries(backends.map((address, i) => [`DATELINE_APP${i + 1}`, address]))
  }
  const child = spawnChild(t, 'haproxy', ['-db', '-f', haproxyConfig], env)
  const proxy = { port, statsPort, child }
  await until(10_000, `HAProxy listening with every server up (${child.output()})`, async () => {
    if (child.process.exitCode !== null) throw new Error(`haproxy exited:\n${child.output()}`)
    const states = await serverStates(proxy).catch(() => undefined)
    return states !== undefined && Object.values(states).every((state) => state === 'UP')
  })
  return proxy
}

/** Each server's state as HAProxy's stats page has it: UP, DOWN, "UP 1/2" while changing… */
export async function serverStates (proxy: Proxy): Promise<Record<string, string>> {
  const csv = await new Promise<string>((resolve, reject) => {
    http.get({ host, port: proxy.statsPort, path: '/;csv', agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
      response.on('end', () => resolve(body))
    }).on('error', reject)
  })
  const [header = '', ...rows] = csv.trim().split('\n')
  const columns = header.replace(/^# /, '').split(',')
  const status = columns.indexOf('status')
  const states: Record<string, string> = {}
  for (const row of rows) {
    const cells = row.split(',')
    if (cells[0] === 'dateline' && cells[1] !== 'BACKEND') states[cells[1]!] = cells[status]!
  }
  return states
}

export async function waitForState (proxy: Proxy, server: string, state: 'UP' | 'DOWN', ms = 10_000): Promise<void> {
  await until(ms, `HAProxy seeing ${server} ${state}`, async () => (await serverStates(proxy))[server] === state)
}
