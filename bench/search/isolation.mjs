// The isolation section of bench/search.mjs (issue 19, target 1): on the 100 k-article database,
// how long each kind of request holds the server's event loop (perf_hooks.monitorEventLoopDelay,
// preloaded from bench/search/loop-delay.mjs: nothing of it is in the server's code), and how
// by-id latency fares while 4 connections search continuously. Both with the read workers
// (DATELINE_READ_WORKERS default) and with every read in the server's thread (0), same run.
// What moving a search into a worker costs shows on a rare word, whose search is fast.

import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { cpuMsOf, freePort, hasTaskset, percentile, round, sleep, table } from '../http/common.mjs'

const adminToken = 'bench-isolation-admin-token-0123456789'

// Targets from issue 19.
const stallTargetMs = 20
const byIdRatioTarget = 2

/** One GET on its own keep-alive agent (a connection per caller), timed. */
function get (agent, port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const request = http.get({ host: '127.0.0.1', port, path, agent, headers }, (response) => {
      let bytes = 0
      response.on('data', (chunk) => { bytes += chunk.length })
      response.on('end', () => resolve({ status: response.statusCode, bytes, ms: Number(process.hrtime.bigint() - started) / 1e6 }))
      response.on('error', reject)
    })
    request.setTimeout(600_000, () => request.destroy(new Error(`${path}: no answer after 600 s`)))
    request.on('error', reject)
  })
}

class LoopWatchedServer {
  constructor ({ file, root, readWorkers, cpus, folder }) {
    Object.assign(this, { file, root, readWorkers, cpus })
    this.delayFile = join(folder, `loop-delay-${readWorkers}.json`)
    this.reports = 0
  }

  async start () {
    this.port = await freePort()
    const node = [process.execPath, '--import', './bench/search/loop-delay.mjs', 'dist/cli.js', 'serve']
    const [command, ...args] = hasTaskset ? ['taskset', '-c', this.cpus, ...node] : node
    const env = {
      ...process.env,
      DATABASE_URL: this.file,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATELINE_DEMO: 'false',
      DATELINE_SEARCH_RATE_LIMIT: '1000000',
      DATELINE_ADMIN_TOKEN: adminToken,
      DATELINE_BENCH_LOOP_DELAY_FILE: this.delayFile,
      ...(this.readWorkers === 'default' ? {} : { DATELINE_READ_WORKERS: String(this.readWorkers) })
    }
    delete env.DATELINE_BENCH_PINNED
    this.child = spawn(command, args, { cwd: this.root, env, stdio: ['ignore', 'inherit', 'inherit'] })
    const agent = new http.Agent({ keepAlive: false })
    const started = performance.now()
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`the server exited before it was ready (${this.child.exitCode})`)
      try {
        if ((await get(agent, this.port, '/readyz')).status === 200) break
      } catch {}
      if (performance.now() - started > 180_000) throw new Error('the server was not ready after 180 s')
      await sleep(100)
    }
    await this.loopDelay()
  }

  /** What the event loop went through since the last call: longest stall and p99, in ms. */
  async loopDelay () {
    this.reports++
    this.child.kill('SIGUSR2')
    for (let waited = 0; waited < 30_000; waited += 10) {
      try {
        const report = JSON.parse(readFileSync(this.delayFile, 'utf8'))
        if (report.report === this.reports) return report
      } catch {}
      await sleep(10)
    }
    throw new Error('the server did not report its event loop delay')
  }

  cpuMs () {
    return cpuMsOf(this.child.pid)
  }

  async stop () {
    if (this.child === undefined || this.child.exitCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
}

/** The heavy requests of issue 19 and, as baselines, the light ones, with a few paths each. */
function requestKinds (file, vocabulary) {
  const db = new Database(file, { readonly: true })
  const bigDay = db.prepare("select published_day as day from articles where status = 'published' group by 1 order by count(*) desc limit 1").get().day
  const ids = db.prepare("select id from articles where status = 'published' order by id limit 5").all().map((row) => row.id)
  db.close()
  const search = (q) => `/v1/articles?q=${encodeURIComponent(q)}`
  const admin = { authorization: `Bearer ${adminToken}` }
  return [
    { kind: 'by id (baseline)', paths: ids.map((id) => `/v1/articles/${id}`) },
    { kind: 'list page (baseline)', paths: ['/v1/articles?limit=20', '/v1/articles?limit=20&offset=20'] },
    { kind: 'search: one common word', paths: ['government', 'police', 'election', 'market', 'minister'].map(search) },
    { kind: 'search: two common words', paths: ['government election', 'police court', 'market prices', 'minister budget', 'city council'].map(search) },
    { kind: 'search: prefix (3 letters)', paths: ['gov', 'pol', 'ele', 'mar', 'hos'].map(search) },
    { kind: 'search: phrase', paths: ['"prime minister"', '"new york"', '"united nations"'].map(search) },
    { kind: 'search: exclusion', paths: ['government -election', 'police -court', 'market -prices'].map(search) },
    { kind: 'search: rare word', paths: vocabulary.rare.slice(0, 5).map(search) },
    { kind: 'suggest', paths: ['gov', 'elec', 'new y', 'prime min', 'hosp'].map((q) => `/v1/search/suggest?q=${encodeURIComponent(q)}`) },
    { kind: 'feeds', paths: ['/feed.atom', '/feed.rss', '/feed.json', '/feed.atom?label=Politics'] },
    { kind: `day page (${bigDay}, the biggest day)`, paths: [`/v1/dates/${bigDay}`] },
    { kind: 'days list, archive', paths: ['/v1/dates?limit=20', '/v1/archive'] },
    { kind: 'sitemap (index, then 50,000 URLs)', paths: ['/sitemap.xml', '/sitemap-1.xml'] },
    // Last but the export: a read that overruns the budget leaves its worker's statement running
    // (it cannot be interrupted), and while such threads are at their limit heavy reads get 503s.
    // In the server's thread one related read at 100 k took over 10 minutes (December 2026).
    { kind: 'related', paths: ids.map((id) => `/v1/articles/${id}/related`), notInThread: true },
    { kind: 'export (whole database, once)', paths: ['/v1/export'], headers: admin, once: true }
  ]
}

/** Each kind's requests one after another; the loop's longest stall while they ran. */
async function stalls (server, kinds, requests, kindSeconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const rows = []
  for (const spec of kinds) {
    if (spec.notInThread && server.readWorkers === 0) {
      rows.push({ kind: spec.kind, n: 0, failed: 0, p50Ms: null, stallMaxMs: null, stallP99Ms: null, skipped: 'not run in the server\'s thread: one request takes minutes' })
      continue
    }
    const planned = spec.once ? 1 : Math.max(requests, spec.paths.length)
    if (!spec.once) await get(agent, server.port, spec.paths[0], spec.headers)
    await server.loopDelay()
    const times = []
    let failed = 0
    const started = performance.now()
    // A kind that takes minutes per request (in the server's thread) stops after --isolation-kind-seconds.
    for (let i = 0; i < planned && (i === 0 || performance.now() - started < kindSeconds * 1000); i++) {
      const response = await get(agent, server.port, spec.paths[i % spec.paths.length], spec.headers)
      if (response.status !== 200) failed++
      times.push(response.ms)
    }
    const delay = await server.loopDelay()
    times.sort((a, b) => a - b)
    rows.push({ kind: spec.kind, n: times.length, failed, p50Ms: round(percentile(times, 0.5)), stallMaxMs: delay.maxMs, stallP99Ms: delay.p99Ms })
    process.stderr.write(`  isolation (read workers ${server.readWorkers}): ${spec.kind}: longest stall ${delay.maxMs} ms, request p50 ${round(percentile(times, 0.5))} ms${failed > 0 ? `, ${failed} not 200` : ''}\n`)
  }
  return rows
}

/** By-id latency on one connection for `seconds`, with `searchers` connections searching meanwhile. */
async function byIdUnderSearch (server, kinds, seconds, searchers) {
  const byId = kinds.find((spec) => spec.kind.startsWith('by id')).paths
  const searches = [...kinds.find((spec) => spec.kind === 'search: one common word').paths, ...kinds.find((spec) => spec.kind === 'search: two common words').paths]
  let running = true
  let searched = 0
  let refused = 0
  const searching = Array.from({ length: searchers }, async (_, n) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    for (let i = n; running; i++) {
      const response = await get(agent, server.port, searches[i % searches.length])
      if (response.status === 200) searched++
      else refused++
    }
  })
  if (searchers > 0) await sleep(500)
  await server.loopDelay()
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const times = []
  const until = performance.now() + seconds * 1000
  for (let i = 0; performance.now() < until; i++) times.push((await get(agent, server.port, byId[i % byId.length])).ms)
  const delay = await server.loopDelay()
  running = false
  await Promise.all(searching)
  times.sort((a, b) => a - b)
  return { n: times.length, p50Ms: round(percentile(times, 0.5), 3), p99Ms: round(percentile(times, 0.99), 3), stallMaxMs: delay.maxMs, searchesAnswered: searched, searchesNot200: refused }
}

/** A rare word's search, sequentially: latency and the server's CPU per request (every thread). */
async function rareWord (server, kinds, requests) {
  const paths = kinds.find((spec) => spec.kind === 'search: rare word').paths
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  for (const path of paths) await get(agent, server.port, path)
  const cpuBefore = server.cpuMs()
  const times = []
  for (let i = 0; i < requests; i++) times.push((await get(agent, server.port, paths[i % paths.length])).ms)
  const cpu = server.cpuMs() - cpuBefore
  times.sort((a, b) => a - b)
  return { n: requests, p50Ms: round(percentile(times, 0.5), 3), cpuMsPerRequest: round(cpu / requests, 3) }
}

async function measureMode (options, readWorkers, kinds, folder) {
  const server = new LoopWatchedServer({ ...options, readWorkers, folder })
  await server.start()
  try {
    return {
      readWorkers,
      stalls: await stalls(server, kinds, options.requests, options.kindSeconds),
      byIdAlone: await byIdUnderSearch(server, kinds, options.seconds, 0),
      byIdWhileSearching: await byIdUnderSearch(server, kinds, options.seconds, 4),
      rareWord: await rareWord(server, kinds, options.rareRequests)
    }
  } finally {
    await server.stop()
  }
}

function printMode (mode) {
  const met = (value, target) => value <= target ? 'met' : 'NOT met'
  console.log(`\nRead workers: ${mode.readWorkers === 'default' ? `default (DATELINE_READ_WORKERS=auto: ${Math.max(1, os.availableParallelism() - 1)} here)` : `${mode.readWorkers} (every read in the server's thread)`}`)
  console.log(table(mode.stalls.map((row) => [row.kind, row.n, row.failed, row.p50Ms, row.stallMaxMs, row.stallP99Ms, row.skipped ?? met(row.stallMaxMs, stallTargetMs)]),
    ['request kind', 'n', 'not 200', 'request p50 ms', 'longest stall ms', 'stall p99 ms', `stall ≤ ${stallTargetMs} ms`]))
  const ratio = round(mode.byIdWhileSearching.p99Ms / mode.byIdAlone.p99Ms, 2)
  console.log(`By id on one connection: p99 ${mode.byIdAlone.p99Ms} ms alone (p50 ${mode.byIdAlone.p50Ms}), ${mode.byIdWhileSearching.p99Ms} ms with 4 connections searching (p50 ${mode.byIdWhileSearching.p50Ms}; ` +
    `${mode.byIdWhileSearching.searchesAnswered} searches answered, ${mode.byIdWhileSearching.searchesNot200} not 200, longest stall ${mode.byIdWhileSearching.stallMaxMs} ms): ` +
    `×${ratio} (target ≤ ×${byIdRatioTarget}: ${met(ratio, byIdRatioTarget)})`)
  return ratio
}

/**
 * Runs the section on `file` (a database made by bench/search.mjs), prints its tables and
 * answers what goes in the results JSON.
 */
export async function isolationSection ({ file, root, vocabulary, requests = 5, seconds = 10, rareRequests = 200, cpus = '0', kindSeconds = 30 }) {
  const folder = mkdtempSync(join(os.tmpdir(), 'dateline-isolation-'))
  try {
    const kinds = requestKinds(file, vocabulary)
    const options = { file, root, requests, seconds, rareRequests, cpus, kindSeconds }
    console.log(`\nIsolation (issue 19): server pinned to CPU ${cpus}${hasTaskset ? '' : ' (no taskset: not pinned)'}, this process on CPU 1; the event loop watched by perf_hooks.monitorEventLoopDelay (bench/search/loop-delay.mjs, preloaded)`)
    console.log(`Each kind: ${requests} sequential requests (export once) after one unmeasured, for ${kindSeconds} s at most; "longest stall" = the event loop's longest delay meanwhile; "not 200" = answered 503 (the read budget) or otherwise`)
    const withWorkers = await measureMode(options, 'default', kinds, folder)
    const inThread = await measureMode(options, 0, kinds, folder)
    const ratios = { withWorkers: printMode(withWorkers), inThread: printMode(inThread) }
    const passing = {
      withWorkersP50Ms: withWorkers.rareWord.p50Ms,
      inThreadP50Ms: inThread.rareWord.p50Ms,
      addedMs: round(withWorkers.rareWord.p50Ms - inThread.rareWord.p50Ms, 3),
      withWorkersCpuMs: withWorkers.rareWord.cpuMsPerRequest,
      inThreadCpuMs: inThread.rareWord.cpuMsPerRequest
    }
    console.log(`\nWhat a worker costs a fast search (a rare word, ${rareRequests} sequential requests): p50 ${passing.withWorkersP50Ms} ms in a worker vs ${passing.inThreadP50Ms} ms in the server's thread ` +
      `(${passing.addedMs >= 0 ? '+' : ''}${passing.addedMs} ms); server CPU per request, every thread: ${passing.withWorkersCpuMs} vs ${passing.inThreadCpuMs} ms`)
    return { targets: { stallMs: stallTargetMs, byIdP99Ratio: byIdRatioTarget }, withWorkers, inThread, byIdP99Ratios: ratios, messagePassing: passing }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}
