// Small pieces shared by the HTTP benchmark (bench/http.mjs) and its helper scripts.

import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const httpDir = dirname(fileURLToPath(import.meta.url))
export const benchDir = join(httpDir, '..')
export const root = join(benchDir, '..')

export const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0

/**
 * Runs `main` on CPU 1, the load generator's: a pinned run re-spawns this script there (the
 * servers get CPU 0), and the copy does the work.
 */
export async function runOnLoadCpu (main) {
  if (!hasTaskset || process.env.DATELINE_BENCH_PINNED === '1') return main()
  const child = spawn('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, DATELINE_BENCH_PINNED: '1' }
  })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code) => process.exit(code ?? 1))
}

/** A seeded PRNG (bench/search.mjs and bench/import.mjs use it too). */
export function mulberry32 (seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A command-line option that must be an integer of at least `min`; exits with a message otherwise. */
export function intOption (name, raw, min) {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be an integer >= ${min}, not ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return value
}

export const round = (value, digits = 2) => value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits))

export function median (values) {
  const sorted = values.filter((v) => v !== null && v !== undefined && Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return null
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** { median, min, max } of a list of numbers (nulls ignored), or null when there are none. */
export function spread (values, digits = 2) {
  const present = values.filter((v) => v !== null && v !== undefined && Number.isFinite(v))
  if (present.length === 0) return null
  return { median: round(median(present), digits), min: round(Math.min(...present), digits), max: round(Math.max(...present), digits) }
}

export function percentile (sorted, p) {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

export function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** VmRSS and VmHWM of a process, in MB, from /proc (null once it is gone). */
export function memoryOf (pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1])
    return { rssMegabytes: kb('VmRSS') / 1024, peakRssMegabytes: kb('VmHWM') / 1024 }
  } catch {
    return null
  }
}

/** The pids of a process's children (/proc/<pid>/task/<pid>/children; [] once it is gone). */
export function childrenOf (pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter((p) => p !== '').map(Number)
  } catch {
    return []
  }
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMsOf (pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name.
    return (Number(fields[11]) + Number(fields[12])) * 1000 / ticksPerSecond
  } catch {
    return null
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })

/** One request; resolves with status, headers and body text. */
export function request (port, path, { method = 'GET', headers = {}, body, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => resolve({
        status: response.statusCode,
        headers: response.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        ms: Number(process.hrtime.bigint() - started) / 1e6
      }))
      response.on('error', reject)
    })
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer after ${timeoutMs} ms`)))
    req.on('error', reject)
    if (body !== undefined) req.end(body)
    else req.end()
  })
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A plain-text table with aligned columns. */
export function table (rows, header) {
  const all = [header, ...rows].map((row) => row.map((cell) => cell === null || cell === undefined ? '-' : String(cell)))
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)))
  const line = (row) => row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join('  ')
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n')
}
