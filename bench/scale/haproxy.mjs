// HAProxy in front of one Dateline instance, for bench/scale.mjs: deploy/haproxy.cfg as it is
// (what compose.yaml runs), its three `server` lines all pointed at the same instance through
// DATELINE_APP1..3, pinned with taskset like the servers. The file logs every request to stdout
// (`option httplog`), so that cost is measured too; the lines go to /dev/null.

import { spawn, spawnSync } from 'node:child_process'
import http from 'node:http'
import { join } from 'node:path'
import { cpuMsOf, freePort, hasTaskset, memoryOf, root, sleep } from '../http/common.mjs'

export const deployConfig = join(root, 'deploy', 'haproxy.cfg')

/** `haproxy -v`'s first line, or null when HAProxy is not installed. */
export function haproxyVersion () {
  const result = spawnSync('haproxy', ['-v'], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.split('\n')[0].trim() : null
}

/** Each server's state from the stats page's CSV (UP, DOWN, "UP 1/2" while changing …). */
function serverStates (statsPort) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: statsPort, path: '/;csv', agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk) => { body += chunk })
      response.on('end', () => {
        const [header = '', ...rows] = body.trim().split('\n')
        const status = header.replace(/^# /, '').split(',').indexOf('status')
        resolve(rows.map((row) => row.split(',')).filter((cells) => cells[0] === 'dateline' && cells[1] !== 'BACKEND').map((cells) => cells[status]))
      })
    }).on('error', reject)
  })
}

export class Haproxy {
  /** @param {{ port: number }} backend  the instance every `server` line points at */
  constructor (backend, { config = deployConfig, cpus = '1' } = {}) {
    this.name = 'haproxy'
    this.backend = backend
    this.config = config
    this.cpus = cpus
    this.child = null
    this.port = null
    this.statsPort = null
    this.readyPath = '/readyz'
    this.stderr = ''
  }

  get pid () { return this.child?.pid ?? null }

  async start () {
    this.port = await freePort()
    this.statsPort = await freePort()
    const address = `127.0.0.1:${this.backend.port}`
    const env = {
      ...process.env,
      DATELINE_PROXY_BIND: `127.0.0.1:${this.port}`,
      DATELINE_STATS_BIND: `127.0.0.1:${this.statsPort}`,
      DATELINE_APP1: address,
      DATELINE_APP2: address,
      DATELINE_APP3: address
    }
    const args = ['-db', '-f', this.config]
    const pinned = hasTaskset && this.cpus !== null
    const child = spawn(pinned ? 'taskset' : 'haproxy', pinned ? ['-c', this.cpus, 'haproxy', ...args] : args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    this.child = child
    child.stderr.on('data', (chunk) => { this.stderr = (this.stderr + chunk.toString()).slice(-4000) })
    const started = performance.now()
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${this.stderr}`)
      const states = await serverStates(this.statsPort).catch(() => [])
      if (states.length === 3 && states.every((state) => state === 'UP')) break
      if (performance.now() - started > 30_000) throw new Error(`haproxy: its servers were not all UP after 30 s (${states.join(', ')}): ${this.stderr}`)
      await sleep(100)
    }
    return performance.now() - started
  }

  cpuMs () { return this.pid === null ? null : cpuMsOf(this.pid) }
  memory () { return this.pid === null ? null : memoryOf(this.pid) }

  async stop () {
    const child = this.child
    if (child === null) return
    this.child = null
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    // SIGUSR1 is HAProxy's soft stop; SIGTERM its immediate one, which is all a benchmark needs.
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
}

/**
 * What runLoad needs to load Dateline through the proxy: the proxy's port, the instance's CPU
 * and memory (and its database's CPU, on PostgreSQL). The proxy's own CPU is sampled apart.
 */
export function throughProxy (proxy, server) {
  return {
    name: `${server.name} via haproxy`,
    get port () { return proxy.port },
    readyPath: server.readyPath,
    memory: () => server.memory(),
    cpuMs: () => server.cpuMs(),
    get databaseCpu () { return server.databaseCpu }
  }
}
