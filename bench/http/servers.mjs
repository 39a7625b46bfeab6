// The servers under test, each a child process pinned to CPU 0 (taskset) on 127.0.0.1:
// Dateline's production code path (`node dist/cli.js serve`), the two baselines of this folder
// and json-server.

import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { cpuMsOf, freePort, hasTaskset, httpDir, memoryOf, request, root, sleep } from './common.mjs'

export const adminToken = 'dateline-bench-admin-token-0123456789'

const require = createRequire(import.meta.url)

export class ChildServer {
  /**
   * @param {string} name
   * @param {string[]} nodeArgs  arguments after `node`
   * @param {object} env         extra environment
   * @param {string} readyPath   answers 200 once the server is ready
   */
  constructor (name, nodeArgs, env = {}, readyPath = '/readyz') {
    this.name = name
    /** An array, or a function of the port for servers that take it as a flag. */
    this.nodeArgs = nodeArgs
    this.env = env
    this.readyPath = readyPath
    this.child = null
    this.port = null
    this.stderr = ''
  }

  get pid () { return this.child?.pid ?? null }

  /** Starts it and waits until `readyPath` answers 200; returns the milliseconds that took. */
  async start ({ nodeFlags = [] } = {}) {
    this.port = await freePort()
    const args = [...nodeFlags, ...(typeof this.nodeArgs === 'function' ? this.nodeArgs(this.port) : this.nodeArgs)]
    const command = hasTaskset ? 'taskset' : process.execPath
    const argv = hasTaskset ? ['-c', '0', process.execPath, ...args] : args
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
    return performance.now() - started
  }

  memory () { return this.pid === null ? null : memoryOf(this.pid) }
  cpuMs () { return this.pid === null ? null : cpuMsOf(this.pid) }

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
 * `database` (an SQLite file or a postgres:// URL); `checkout`: another build's (bench --before).
 */
export function dateline (database, { checkout = root, name = 'dateline' } = {}) {
  return new ChildServer(name, [...startFlags(), join(checkout, 'dist', 'cli.js'), 'serve'], { ...datelineEnv, DATABASE_URL: database })
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
