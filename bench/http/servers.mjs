// The servers under test, each a child process pinned to CPU 0 (taskset) on 127.0.0.1:
// Dateline's production code path (`node dist/cli.js serve`), the two baselines of this folder
// and json-server. bench/scale.mjs pins them elsewhere (`start({ cpus })`) and starts Dateline
// with workers (`dateline(…, { workers })`), whose CPU and memory count with the primary's.

import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { childrenOf, cpuMsOf, freePort, hasTaskset, httpDir, memoryOf, request, root, sleep } from './common.mjs'

export const adminToken = 'dateline-bench-admin-token-0123456789'

const require = createRequire(import.meta.url)

export class ChildServer {
  /**
   * @param {string} name
   * @param {string[]} nodeArgs  arguments after `node`
   * @param {object} env         extra environment
   * @param {string} readyPath   answers 200 once the server is ready
   */
  constructor (name, nodeArgs, env = {}, readyPath = '/readyz', { workers = 1 } = {}) {
    this.name = name
    /** Processes that serve (`dateline serve --workers N` forks N under a primary that does not). */
    this.workers = workers
    /** An array, or a function of the port for servers that take it as a flag. */
    this.nodeArgs = nodeArgs
    this.env = env
    this.readyPath = readyPath
    this.child = null
    this.port = null
    this.stderr = ''
  }

  get pid () { return this.child?.pid ?? null }

  /**
   * Starts it and waits until `readyPath` answers 200 (and, with workers, until every worker
   * has started); returns the milliseconds that took. `cpus`: taskset's CPU list (null: any).
   */
  async start ({ nodeFlags = [], cpus = '0' } = {}) {
    this.port = await freePort()
    const args = [...nodeFlags, ...(typeof this.nodeArgs === 'function' ? this.nodeArgs(this.port) : this.nodeArgs)]
    const pinned = hasTaskset && cpus !== null
    const command = pinned ? 'taskset' : process.execPath
    const argv = pinned ? ['-c', cpus, process.execPath, ...args] : args
    const env = { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' }
    delete env.DATELINE_BENCH_PINNED
    const started = performance.now()
    const child = spawn(command, argv, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] })
    this.child = child
    this.stderr = ''
    child.stderr.on('data', (chunk) => { this.stderr = (this.stderr + chunk.toString()).slice(-4000) })
    let exited = null
    child.once('exit', (code, signal) => { exited = { code, signal } })
    for (;;) {
      if (exited !== null) throw new Error(`${this.name} exited before it was ready (${JSON.stringify(exited)}): ${this.stderr}`)
      try {
        if ((await request(this.port, this.readyPath, { timeoutMs: 5000 })).status === 200) break
      } catch {}
      if (performance.now() - started > 600_000) throw new Error(`${this.name} was not ready after 600 s`)
      await sleep(5)
    }
    if (this.workers > 1) await this.#workersStarted(started)
    return performance.now() - started
  }

  /**
   * The primary answers /readyz as soon as one worker listens. The others have started once
   * they are all there and idle: a worker still starting up is busy loading the app and
   * opening the database.
   */
  async #workersStarted (started) {
    let before = null
    for (;;) {
      const workers = childrenOf(this.pid)
      const now = workers.length === this.workers ? workers.map(cpuMsOf) : null
      if (now !== null && before !== null && now.every((ms, i) => ms !== null && ms === before[i])) return
      before = now
      if (performance.now() - started > 600_000) throw new Error(`${this.name}: ${workers.length} of ${this.workers} workers after 600 s`)
      await sleep(300)
    }
  }

  /** The serving processes: the one started, and its workers (if any). */
  pids () { return this.pid === null ? [] : [this.pid, ...childrenOf(this.pid)] }

  /** VmRSS and VmHWM summed over the processes (null once it is gone). */
  memory () {
    const each = this.pids().map(memoryOf).filter((m) => m !== null)
    if (each.length === 0) return null
    return { rssMegabytes: each.reduce((sum, m) => sum + m.rssMegabytes, 0), peakRssMegabytes: each.reduce((sum, m) => sum + m.peakRssMegabytes, 0) }
  }

  cpuMs () {
    const each = this.pids().map(cpuMsOf).filter((ms) => ms !== null)
    return each.length === 0 ? null : each.reduce((sum, ms) => sum + ms, 0)
  }

  async stop (signal = 'SIGTERM') {
    const child = this.child
    if (child === null) return
    this.child = null
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(timer)
  }
}

/** The node flags `npm start` gives (package.json's start script: `node [flags] dist/cli.js serve`). */
function startFlags () {
  const start = require(join(root, 'package.json')).scripts.start
  const match = /^node((?: --\S+)*) dist\/cli\.js serve$/.exec(start)
  if (match === null) throw new Error(`package.json's start script is not "node [flags] dist/cli.js serve": ${start}`)
  return match[1].trim().split(' ').filter((flag) => flag !== '')
}

const datelineEnv = {
  LOG_LEVEL: 'warn',
  DATELINE_DEMO: 'false',
  DATELINE_ADMIN_TOKEN: adminToken,
  // The load comes from one address: the per-client search limit would answer 429s.
  DATELINE_SEARCH_RATE_LIMIT: '1000000',
  DATELINE_TIMEZONE: 'UTC',
  NODE_ENV: 'production'
}

/**
 * `node dist/cli.js serve` as `npm start` runs it (its node flags too), with LOG_LEVEL=warn, on
 * `database` (an SQLite file or a postgres:// URL); `checkout`: another build's (bench --before);
 * `workers`: DATELINE_WORKERS (bench/scale.mjs).
 */
export function dateline (database, { checkout = root, name = 'dateline', workers = 1 } = {}) {
  return new ChildServer(name, [...startFlags(), join(checkout, 'dist', 'cli.js'), 'serve'], { ...datelineEnv, DATABASE_URL: database, DATELINE_WORKERS: String(workers) }, '/readyz', { workers })
}

/** `dateline` on the PostgreSQL database at `url`. */
export function datelinePostgres (url) {
  return dateline(url, { name: 'dateline-postgres' })
}

export function fixedBaseline (articleFile) {
  return new ChildServer('fixed', [join(httpDir, 'baseline-fixed.mjs'), articleFile])
}

export function sqliteBaseline (file) {
  return new ChildServer('sqlite', [join(httpDir, 'baseline-sqlite.mjs'), file])
}

/** The lean storage ceiling (issue 19) on `file`, a copy of its own: it adds a labels column. */
export function leanBaseline (file) {
  return new ChildServer('lean', [join(httpDir, 'baseline-lean.mjs'), file])
}

export function postgresBaseline (url) {
  return new ChildServer('postgres', [join(httpDir, 'baseline-postgres.mjs'), url])
}

/** json-server (0.17, the npm `latest`) on its data file: read-only, no request log, no gzip. */
export function jsonServer (dataFile) {
  const bin = join(dirname(require.resolve('json-server/package.json')), 'lib', 'cli', 'bin.js')
  return new ChildServer('json-server', (port) => [bin, dataFile, '--host', '127.0.0.1', '--quiet', '--read-only', '--no-gzip', '--port', String(port)], {}, '/authors/1')
}

export function jsonServerVersion () {
  return require('json-server/package.json').version
}
