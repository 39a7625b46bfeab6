#!/usr/bin/env node
// Scaling benchmark (issue 18): what `dateline serve --workers 2` gives over one worker on this
// 2-core machine, on SQLite and on PostgreSQL, and what HAProxy (deploy/haproxy.cfg) costs in
// front of one instance. Same-run ratios, medians of rounds; the pieces are bench/http's (data,
// servers, autocannon) and bench/scale/ (HAProxy, where the load runs). See bench/README.md.
//
//   npm run bench:scale                 # = npm run build && node bench/scale.mjs (~8 minutes)
//   node bench/scale.mjs --quick        # ~2 minute check (after `npm run build`)
//   node bench/scale.mjs --help

import { existsSync, mkdirSync, mkdtempSync, copyFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { hasTaskset, intOption, median, request, root, round, runOnLoadCpu, spread, table } from './http/common.mjs'
import { ensureDatabase } from './http/generate.mjs'
import { backendCpu, copyForRun, defaultPostgresUrl, ensurePostgresDatabase } from './http/generate-postgres.mjs'
import { runLoad, runPaced } from './http/load.mjs'
import { dateline } from './http/servers.mjs'
import { Haproxy, haproxyVersion, throughProxy } from './scale/haproxy.mjs'
import { busyPercent, canRaisePriority, cpuTimes, placeLoad } from './scale/placement.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const today = new Date().toISOString().slice(0, 10)

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '32' },
    database: { type: 'string', default: 'both' },
    only: { type: 'string' },
    nice: { type: 'string', default: '10' },
    articles: { type: 'string', default: '10000' },
    comments: { type: 'string', default: '50000' },
    seed: { type: 'string', default: '20260625' },
    fresh: { type: 'boolean', default: false },
    postgres: { type: 'string', default: defaultPostgresUrl },
    out: { type: 'string', default: join(here, 'results', `scale-${today}.json`) },
    help: { type: 'boolean', short: 'h', default: false }
  }
})

/** The setups, in the order a round runs them; `one`/`two` are the servers with 1 and 2 workers. */
const setups = [
  { id: '1w', server: 'one', load: { cpus: '1', nice: 0 }, label: '1 worker on CPU 0, load on CPU 1' },
  { id: 'haproxy', server: 'proxy', load: { cpus: '1', nice: 0 }, label: 'the same 1 worker through HAProxy (HAProxy and load on CPU 1)' },
  { id: '2w', server: 'two', load: { cpus: '1', nice: 0 }, label: '2 workers on CPUs 0-1, load on CPU 1' },
  { id: '2w-nice', server: 'two', load: { cpus: '0,1', nice: null }, label: '2 workers on CPUs 0-1, load on CPUs 0-1 at lower priority' }
]

if (opts.help) {
  console.log(`Usage: node bench/scale.mjs [options]   (run \`npm run build\` first; \`npm run bench:scale\` does both)

Loads \`node dist/cli.js serve\` (bench/http's data, 10,000 articles) with autocannon, ${opts.connections} connections,
GET by id (1,000 ids in turn) and GET /v1/articles?limit=20&include=author, in these setups:
${setups.map((s) => `  ${s.id.padEnd(8)} ${s.label}`).join('\n')}
On SQLite and on PostgreSQL (a database of its own for the run, dropped at the end). Each round runs
every setup once per scenario; ratios are to the 1-worker run of the same round, then the median.
Then the added latency of HAProxy at a fixed rate (half the direct median req/s), direct and proxied.

  --quick            ~2 minute check: 1 round of 2 s (+1 s warm-up)
  --rounds R         rounds (default 3)
  --duration S       measured seconds per run (default 5)
  --warmup S         unmeasured seconds before each run (default 2)
  --connections C    autocannon connections (default 32)
  --database D       sqlite, postgres or both (default both)
  --only a,b         only these setups (1w always runs: the ratios are to it): ${setups.map((s) => s.id).join(',')}
  --nice N           the load's niceness in 2w-nice (default 10)
  --articles N       articles (default 10000; the cache of bench/http.mjs, same seed)
  --seed S           data seed (default 20260625)
  --fresh            generate the data again
  --postgres URL     the PostgreSQL server (default ${defaultPostgresUrl}); CREATE DATABASE is sent there
  --out FILE         results JSON (default bench/results/scale-<date>.json)`)
  process.exit(0)
}

const settings = {
  quick: opts.quick,
  rounds: intOption('rounds', opts.rounds ?? (opts.quick ? '1' : '3'), 1),
  duration: intOption('duration', opts.duration ?? (opts.quick ? '2' : '5'), 1),
  warmup: intOption('warmup', opts.warmup ?? (opts.quick ? '1' : '2'), 0),
  connections: intOption('connections', opts.connections, 1),
  nice: intOption('nice', opts.nice, 1),
  articles: intOption('articles', opts.articles, 1000),
  comments: intOption('comments', opts.comments, 200),
  seed: intOption('seed', opts.seed, 0),
  databases: opts.database === 'both' ? ['sqlite', 'postgres'] : [opts.database],
  setups: opts.only === undefined ? setups.map((s) => s.id) : ['1w', ...opts.only.split(',').map((s) => s.trim()).filter((s) => s !== '1w')]
}
if (settings.databases.some((d) => !['sqlite', 'postgres'].includes(d))) {
  console.error(`--database must be sqlite, postgres or both, not ${JSON.stringify(opts.database)}`)
  process.exit(2)
}
for (const id of settings.setups) {
  if (!setups.some((s) => s.id === id)) {
    console.error(`--only: no setup ${JSON.stringify(id)} (${setups.map((s) => s.id).join(', ')})`)
    process.exit(2)
  }
}

const log = (line) => process.stderr.write(line + '\n')
const ownLoadPlace = { cpus: '1', nice: 0 }

function scenarios (fixtures) {
  const ids = fixtures.reads.map((row) => row.id)
  const cycling = (paths) => () => {
    let i = 0
    return [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }]
  }
  return [
    { id: 'by-id', label: 'article by id', probe: `/v1/articles/${ids[0]}`, requests: cycling(ids.map((id) => `/v1/articles/${id}`)) },
    { id: 'list', label: 'list 20, include=author', probe: '/v1/articles?limit=20&include=author', requests: cycling(['/v1/articles?limit=20&include=author']) }
  ]
}

/** One request per scenario and target: a 200 with the expected shape, or the run stops. */
async function probe (target, scenario) {
  const answer = await request(target.port, scenario.probe, { timeoutMs: 30_000 })
  const body = answer.status === 200 ? JSON.parse(answer.body) : null
  const ok = answer.status === 200 && (scenario.id === 'list' ? body.data?.length === 20 && body.data[0].author !== undefined : typeof body.id === 'number')
  if (!ok) throw new Error(`${target.name} ${scenario.probe}: ${answer.status} ${answer.body.slice(0, 300)}`)
}

/**
 * The req/s this run's CPU costs allow on all of the machine's cores, were nothing else running:
 * the cores' µs per second ÷ the µs one response took of the server, its database's backends,
 * HAProxy and the load generator.
 */
function cpuBound (run, loadUs, proxyUs) {
  const perResponse = (run.serverCpuUsPerRequest ?? 0) + (run.databaseCpuUsPerRequest ?? 0) + (loadUs ?? 0) + (proxyUs ?? 0)
  return perResponse === 0 ? null : os.cpus().length * 1e6 / perResponse
}

/** One measured run of `scenario` on `setup`: the load moved where the setup says for it. */
async function measure (setup, scenario, targets) {
  const target = targets[setup.server]
  const proxy = setup.server === 'proxy' ? targets.haproxy : null
  let before = null
  placeLoad({ cpus: setup.load.cpus, nice: setup.load.nice ?? settings.nice })
  try {
    const run = await runLoad(target, scenario.requests, {
      connections: settings.connections,
      duration: settings.duration,
      warmup: settings.warmup,
      beforeMeasure: () => { before = { load: process.cpuUsage(), proxyMs: proxy?.cpuMs() ?? null, cores: cpuTimes() } }
    })
    const load = process.cpuUsage(before.load)
    const perResponse = (us) => run.responses === 0 ? null : us / run.responses
    return {
      rps: run.rps,
      p50: run.p50,
      p99: run.p99,
      responses: run.responses,
      statuses: run.statuses,
      socketErrors: run.socketErrors,
      timeouts: run.timeouts,
      serverCpuUsPerRequest: run.serverCpuUsPerRequest,
      databaseCpuUsPerRequest: run.databaseCpuUsPerRequest,
      loadCpuUsPerRequest: perResponse(load.user + load.system),
      proxyCpuUsPerRequest: proxy === null ? null : perResponse((proxy.cpuMs() - before.proxyMs) * 1000),
      busyPercent: busyPercent(before.cores, cpuTimes()),
      rssMegabytes: run.rss.peakMegabytes,
      cpuBoundRps: cpuBound(run, perResponse(load.user + load.system), proxy === null ? 0 : perResponse((proxy.cpuMs() - before.proxyMs) * 1000))
    }
  } finally {
    placeLoad(ownLoadPlace)
  }
}

/**
 * Starts one database's servers (1 worker on CPU 0, 2 workers on CPUs 0-1, HAProxy on CPU 1 in
 * front of the first), runs the rounds and the paced latencies, stops them; answers the figures.
 */
async function phase (databaseName, databaseUrl, fixtures, cleanUps, databaseCpu) {
  const wanted = setups.filter((s) => settings.setups.includes(s.id))
  const targets = {}
  const started = []
  cleanUps.push(() => { for (const server of started) server.child?.kill('SIGKILL') })
  try {
    targets.one = dateline(databaseUrl, { name: `${databaseName} 1 worker` })
    await targets.one.start({ cpus: '0' })
    started.push(targets.one)
    if (wanted.some((s) => s.server === 'two')) {
      targets.two = dateline(databaseUrl, { name: `${databaseName} 2 workers`, workers: 2 })
      await targets.two.start({ cpus: '0,1' })
      started.push(targets.two)
    }
    if (wanted.some((s) => s.server === 'proxy')) {
      targets.haproxy = new Haproxy(targets.one, { cpus: '1' })
      await targets.haproxy.start()
      started.push(targets.haproxy)
      targets.proxy = throughProxy(targets.haproxy, targets.one)
    }
    if (databaseCpu !== undefined) {
      // Both Dateline servers connect as `dateline` to the same database; only the loaded one works.
      for (const key of ['one', 'two']) if (targets[key] !== undefined) targets[key].databaseCpu = databaseCpu
    }
    const list = scenarios(fixtures)
    for (const scenario of list) for (const setup of wanted) await probe(targets[setup.server], scenario)

    // A server's first runs come out slower than its later ones (JIT, heap growth), however
    // long runLoad's warm-up: each server gets a few unmeasured seconds of every scenario first.
    log(`\n${databaseName}: warming the servers up …`)
    for (const key of ['one', 'two']) {
      for (const scenario of list) {
        if (targets[key] !== undefined) await runLoad(targets[key], scenario.requests, { connections: settings.connections, duration: Math.max(2, 2 * settings.warmup), warmup: 0 })
      }
    }

    const runs = Object.fromEntries(list.map((s) => [s.id, Object.fromEntries(wanted.map((w) => [w.id, []]))]))
    for (let r = 0; r < settings.rounds; r++) {
      log(`\n${databaseName}, round ${r + 1} of ${settings.rounds}:`)
      // Each round starts one setup further on, so a machine that drifts does not favour one.
      const order = wanted.map((_, i) => wanted[(i + r) % wanted.length])
      for (const scenario of list) {
        for (const setup of order) {
          const run = await measure(setup, scenario, targets)
          runs[scenario.id][setup.id].push(run)
          log(`  ${scenario.id.padEnd(6)} ${setup.id.padEnd(8)} ${Math.round(run.rps).toString().padStart(6)} req/s  p50 ${run.p50?.toFixed(1)} ms  p99 ${run.p99?.toFixed(1)} ms  server ${Math.round(run.serverCpuUsPerRequest ?? NaN)} µs/req  load ${Math.round(run.loadCpuUsPerRequest ?? NaN)} µs/req  cores ${Object.values(run.busyPercent).join('/')} %`)
        }
      }
    }

    // The proxy's hop without a queue: direct and through HAProxy at the same even pace, once
    // per round, taking turns at going first (the first paced run after a saturated one comes
    // out slower, whichever it is), after one unmeasured second of it.
    const paced = {}
    if (targets.proxy !== undefined) {
      log(`\n${databaseName}: HAProxy's added latency at a fixed rate …`)
      for (const scenario of list) {
        const rate = Math.max(1, Math.round(median(runs[scenario.id]['1w'].map((run) => run.rps)) / 2))
        const options = { connections: settings.connections, duration: settings.duration, rate }
        await runPaced(targets.one, scenario.requests, { ...options, duration: 1 })
        const each = { direct: [], haproxy: [] }
        for (let r = 0; r < settings.rounds; r++) {
          for (const via of r % 2 === 0 ? ['direct', 'haproxy'] : ['haproxy', 'direct']) {
            each[via].push(await runPaced(via === 'direct' ? targets.one : targets.proxy, scenario.requests, options))
          }
          log(`  ${scenario.id.padEnd(6)} at ${rate} req/s: p50 ${each.direct[r].p50?.toFixed(2)} → ${each.haproxy[r].p50?.toFixed(2)} ms, p99 ${each.direct[r].p99?.toFixed(2)} → ${each.haproxy[r].p99?.toFixed(2)} ms`)
        }
        paced[scenario.id] = { rate, direct: pacedFigures(each.direct), haproxy: pacedFigures(each.haproxy), rounds: each }
      }
    }
    return { runs, summary: summarise(runs, list, wanted), paced }
  } finally {
    for (const server of started.reverse()) await server.stop()
  }
}

/** Medians over the paced runs of one target. */
const pacedFigures = (results) => ({
  responses: results.reduce((n, r) => n + r.responses, 0),
  errors: results.reduce((n, r) => n + r.errors, 0),
  p50: round(median(results.map((r) => r.p50)), 2),
  p99: round(median(results.map((r) => r.p99)), 2)
})

/** Medians (min–max) over the rounds, and each setup's req/s over 1w's in the same round. */
function summarise (runs, list, wanted) {
  const summary = {}
  for (const scenario of list) {
    summary[scenario.id] = {}
    const base = runs[scenario.id]['1w']
    for (const setup of wanted) {
      const each = runs[scenario.id][setup.id]
      const field = (name, digits = 0) => spread(each.map((run) => run[name]), digits)
      summary[scenario.id][setup.id] = {
        rps: field('rps'),
        p50: field('p50', 2),
        p99: field('p99', 2),
        ratioToOneWorker: spread(each.map((run, i) => run.rps / base[i].rps), 2),
        p50AddedMs: spread(each.map((run, i) => run.p50 - base[i].p50), 2),
        p99AddedMs: spread(each.map((run, i) => run.p99 - base[i].p99), 2),
        serverCpuUsPerRequest: field('serverCpuUsPerRequest'),
        databaseCpuUsPerRequest: field('databaseCpuUsPerRequest'),
        loadCpuUsPerRequest: field('loadCpuUsPerRequest'),
        proxyCpuUsPerRequest: field('proxyCpuUsPerRequest'),
        busyPercent: Object.fromEntries(Object.keys(each[0].busyPercent).map((cpu) => [cpu, round(median(each.map((run) => run.busyPercent[cpu])), 0)])),
        rssMegabytes: field('rssMegabytes'),
        cpuBoundRps: field('cpuBoundRps'),
        otherStatuses: each.reduce((n, run) => n + Object.entries(run.statuses).filter(([code]) => code !== '200').reduce((m, [, count]) => m + count, 0) + run.socketErrors + run.timeouts, 0)
      }
    }
  }
  return summary
}

const fmt = (s, digits = 0) => s === null ? '-' : s.min === s.max ? s.median.toFixed(digits) : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
const signed = (ms) => ms === null || !Number.isFinite(ms) ? '-' : `${ms < 0 ? '−' : '+'}${Math.abs(ms).toFixed(2)}`
const fmtMedian = (s, digits = 0) => s === null ? '-' : s.median.toFixed(digits)

function printScaling (databaseName, figures, list) {
  const rows = []
  for (const scenario of list) {
    for (const setup of setups) {
      const e = figures.summary[scenario.id][setup.id]
      if (e === undefined || setup.id === 'haproxy') continue
      rows.push([scenario.label, setup.id, fmt(e.rps), fmtMedian(e.p50, 1), fmtMedian(e.p99, 1), setup.id === '1w' ? '1' : fmt(e.ratioToOneWorker, 2),
        fmtMedian(e.serverCpuUsPerRequest), fmtMedian(e.databaseCpuUsPerRequest), fmtMedian(e.loadCpuUsPerRequest), fmtMedian(e.cpuBoundRps), Object.values(e.busyPercent).join(' / ')])
    }
  }
  console.log(`\n${databaseName}: 1 vs 2 workers — median (min–max) of ${settings.rounds} round(s) × ${settings.duration} s, ${settings.connections} connections; × = req/s ÷ 1w's in the same round`)
  console.log(table(rows, ['scenario', 'setup', 'req/s', 'p50 ms', 'p99 ms', '× 1w', 'server µs/req', 'db µs/req', 'load µs/req', 'CPU-bound req/s', 'cores busy %']))
}

function printProxy (databaseName, figures, list) {
  if (figures.summary[list[0].id].haproxy === undefined) return
  const rows = []
  for (const scenario of list) {
    const direct = figures.summary[scenario.id]['1w']
    const proxied = figures.summary[scenario.id].haproxy
    const paced = figures.paced[scenario.id]
    rows.push([scenario.label, fmtMedian(direct.rps), fmtMedian(proxied.rps), fmt(proxied.ratioToOneWorker, 2),
      `${fmtMedian(direct.p50, 1)} / ${fmtMedian(proxied.p50, 1)}`, `${fmtMedian(direct.p99, 1)} / ${fmtMedian(proxied.p99, 1)}`, fmtMedian(proxied.proxyCpuUsPerRequest),
      paced.rate, `${paced.direct.p50} / ${paced.haproxy.p50} (${signed(paced.haproxy.p50 - paced.direct.p50)})`, `${paced.direct.p99} / ${paced.haproxy.p99} (${signed(paced.haproxy.p99 - paced.direct.p99)})`])
  }
  console.log(`\n${databaseName}: one instance (1 worker, CPU 0) direct vs through HAProxy (deploy/haproxy.cfg, CPU 1 with the load)`)
  console.log(table(rows, ['scenario', 'direct req/s', 'HAProxy req/s', '× direct', 'p50 ms direct / proxied', 'p99 ms', 'HAProxy µs/req', 'paced req/s', 'paced p50 ms (added)', 'paced p99 ms (added)']))
}

async function main () {
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    console.error('dist/ is missing: run `npm run build` first (or `npm run bench:scale`, which builds)')
    process.exit(1)
  }
  if (settings.setups.includes('2w-nice') && !canRaisePriority()) {
    log('2w-nice left out: putting the load back to nice 0 afterwards needs CAP_SYS_NICE (root)')
    settings.setups = settings.setups.filter((id) => id !== '2w-nice')
  }
  const proxyVersion = haproxyVersion()
  if (settings.setups.includes('haproxy') && proxyVersion === null) {
    log('haproxy left out: HAProxy is not installed')
    settings.setups = settings.setups.filter((id) => id !== 'haproxy')
  }
  const machine = {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    haproxy: proxyVersion,
    pinned: hasTaskset ? 'as each setup says (taskset); the load runs in this process' : 'not pinned (no taskset): the setups are not what they say',
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2))
  }
  console.log(`Dateline scaling benchmark — ${settings.articles} articles; ${settings.rounds} round(s) × ${settings.duration} s (+${settings.warmup} s warm-up), ${settings.connections} connections; ${settings.databases.join(' and ')}`)
  console.log(`node ${machine.node}, ${machine.cpus} CPUs, ${machine.haproxy ?? 'no HAProxy'}, load average ${machine.loadAverageAtStart.join(' ')}`)
  console.log(`Setups: ${setups.filter((s) => settings.setups.includes(s.id)).map((s) => `${s.id} = ${s.label}`).join('; ')}${settings.setups.includes('2w-nice') ? ` (nice ${settings.nice})` : ''}`)

  const work = mkdtempSync(join(os.tmpdir(), 'dateline-bench-scale-'))
  const cleanUps = [() => rmSync(work, { recursive: true, force: true })]
  const cleanUp = async () => {
    for (const step of cleanUps.splice(0).reverse()) {
      try { await step() } catch (error) { log(`cleaning up: ${error.message}`) }
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { cleanUp().finally(() => process.exit(130)) })

  const report = { benchmark: 'scale', date: new Date().toISOString(), machine, settings, setups: setups.filter((s) => settings.setups.includes(s.id)) }
  try {
    log(`\nData: ${settings.articles} articles (bench/http's generator and cache) …`)
    const data = await ensureDatabase({ articles: settings.articles, comments: settings.comments, seed: settings.seed }, { fresh: opts.fresh, log })
    const list = scenarios(data.fixtures)
    if (settings.databases.includes('sqlite')) {
      const file = join(work, 'dateline.db')
      copyFileSync(data.file, file)
      report.sqlite = await phase('SQLite', file, data.fixtures, cleanUps)
      printScaling('SQLite', report.sqlite, list)
      printProxy('SQLite', report.sqlite, list)
    }
    if (settings.databases.includes('postgres')) {
      log(`\nPostgreSQL (${opts.postgres.replace(/\/\/[^@/]*@/, '//')}): the same data …`)
      const cached = await ensurePostgresDatabase(data, opts.postgres, { fresh: opts.fresh, log })
      const run = await copyForRun(opts.postgres, cached.name)
      cleanUps.push(() => run.drop())
      const databaseCpu = await backendCpu(opts.postgres, run.name, 'dateline')
      cleanUps.push(() => databaseCpu.close())
      report.postgres = await phase('PostgreSQL', run.url, data.fixtures, cleanUps, databaseCpu)
      report.postgres.database = cached.name
      printScaling('PostgreSQL', report.postgres, list)
      printProxy('PostgreSQL', report.postgres, list)
    }
  } finally {
    await cleanUp()
  }
  report.machine.loadAverageAtEnd = os.loadavg().map((v) => round(v, 2))
  console.log(`\nLoad average at the start ${machine.loadAverageAtStart.join(' ')}, at the end ${report.machine.loadAverageAtEnd.join(' ')}`)
  mkdirSync(dirname(opts.out), { recursive: true })
  writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n')
  console.log(`Wrote ${opts.out}`)
}

await runOnLoadCpu(main)
