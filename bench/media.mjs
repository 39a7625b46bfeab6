#!/usr/bin/env node
// Media benchmark (issue 21): what an upload of a camera-sized JPEG costs the server in time and
// memory, next to a 2-megapixel one and to the same work without HTTP, and how fast a variant
// is served from disk next to bare Fastify + @fastify/static on the same file. Servers on CPU 0,
// this script (and autocannon) on CPU 1; ratios within one run. See bench/README.md.
//
//   npm run bench:media                 # = npm run build && node bench/media.mjs (~6 minutes)
//   node bench/media.mjs --quick        # ~2 minute check (after `npm run build`)
//   node bench/media.mjs --help

import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { cpuMsOf, hasTaskset, intOption, request, round, runOnLoadCpu, spread, table } from './http/common.mjs'
import { runLoad } from './http/load.mjs'
import { adminToken, ChildServer, dateline } from './http/servers.mjs'
import { photoJpeg } from './media/photo.mjs'

const here = dirname(fileURLToPath(import.meta.url))

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '32' },
    library: { type: 'string', default: '10000' },
    'uploads-only': { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, 'results', 'media-latest.json') },
    help: { type: 'boolean', short: 'h', default: false }
  }
})

if (opts.help) {
  console.log(`Usage: node bench/media.mjs [options]   (run \`npm run build\` first; \`npm run bench:media\` does both)

1. Uploads: POST /v1/media of a generated 24-megapixel JPEG (6000×4000, quality 90) and a
   2-megapixel one (1732×1155), each to its own \`node dist/cli.js serve\` (fresh SQLite file and
   media folder) on CPU 0, taking turns; wall time and server CPU per upload, the server's RSS
   before and its peak (VmHWM). Beside them, in a process of their own: sharp's decode of each
   to 2048 pixels wide alone, and the app's processImage alone (no HTTP, database or disk).
2. Serving: GET of the 640-wide JPEG variant with autocannon on CPU 1, against bare Fastify +
   @fastify/static serving the same file from the same folder (its wildcard route, and a route
   answering with reply.sendFile), taking turns; with the uploaded items in the folder, then
   again with --library empty folders added, as a library of that many images has (what a
   server that lists folders on each request feels).

  --quick            ~2 minute check: 2 uploads per size, 1 round of 3 s
  --runs N           measured uploads per size (default 5; one unmeasured first)
  --rounds R         serving rounds, each server once (default 3)
  --duration S       measured seconds per serving run (default 10)
  --warmup S         unmeasured seconds before each serving run (default 2)
  --connections C    autocannon connections (default 32)
  --library N        serve again with N items' folders in the media folder (default 10000; 0: not)
  --uploads-only     part 1 only
  --out FILE         results JSON (default bench/results/media-latest.json)`)
  process.exit(0)
}

const settings = {
  runs: intOption('runs', opts.runs ?? (opts.quick ? '2' : '5'), 1),
  rounds: intOption('rounds', opts.rounds ?? (opts.quick ? '1' : '3'), 1),
  duration: intOption('duration', opts.duration ?? (opts.quick ? '3' : '10'), 1),
  warmup: intOption('warmup', opts.warmup ?? (opts.quick ? '1' : '2'), 0),
  connections: intOption('connections', opts.connections, 1),
  library: intOption('library', opts.library, 0)
}

const log = (line) => process.stderr.write(line + '\n')
const megabytes = (bytes) => round(bytes / 1024 / 1024, 1)

const sizes = [
  { id: '24mp', label: '24 MP (6000×4000)', width: 6000, height: 4000 },
  { id: '2mp', label: '2 MP (1732×1155)', width: 1732, height: 1155 }
]

/** A multipart/form-data body with the image in `file`, as a browser's form sends it. */
function multipartBody (jpeg, fileName) {
  const boundary = `----dateline-bench-${Date.now().toString(16)}`
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nBenchmark photo\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: image/jpeg\r\n\r\n`)
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return { body: Buffer.concat([head, jpeg, tail]), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** VmRSS and VmHWM (MB) of one process. */
function memory (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))[1])
  return { rss: round(kb('VmRSS') / 1024, 1), peak: round(kb('VmHWM') / 1024, 1) }
}

async function upload (server, size) {
  const { body, contentType } = multipartBody(size.jpeg, `photo-${size.id}.jpg`)
  const cpuBefore = cpuMsOf(server.pid)
  const answer = await request(server.port, '/v1/media', {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': contentType, 'content-length': String(body.length) },
    body,
    timeoutMs: 300_000
  })
  if (answer.status !== 201) throw new Error(`upload of ${size.label}: ${answer.status} ${answer.body.slice(0, 500)}`)
  return { ms: answer.ms, cpuMs: cpuMsOf(server.pid) - cpuBefore, media: JSON.parse(answer.body) }
}

/** processImage or a decode alone, in a fresh process on CPU 0 (bench/media/process-only.mjs). */
function processOnly (mode, file, runs) {
  const args = [join(here, 'media', 'process-only.mjs'), mode, file, String(runs)]
  const env = { ...process.env }
  delete env.DATELINE_BENCH_PINNED
  const child = hasTaskset
    ? spawnSync('taskset', ['-c', '0', process.execPath, ...args], { encoding: 'utf8', env })
    : spawnSync(process.execPath, args, { encoding: 'utf8', env })
  if (child.status !== 0) throw new Error(`process-only ${mode} ${file}: ${child.stderr}`)
  return JSON.parse(child.stdout)
}

async function uploads (folder) {
  for (const size of sizes) {
    size.jpeg = await photoJpeg(size.width, size.height)
    size.file = join(folder, `photo-${size.id}.jpg`)
    writeFileSync(size.file, size.jpeg)
    log(`${size.label}: ${megabytes(size.jpeg.length)} MB JPEG`)
  }

  for (const size of sizes) {
    log(`${size.label}: decode alone, processImage alone (${settings.runs} each, fresh processes)`)
    size.decodeOnly = processOnly('decode', size.file, settings.runs)
    size.processOnly = processOnly('app', size.file, settings.runs)
  }

  for (const size of sizes) {
    size.mediaDir = join(folder, `media-${size.id}`)
    size.server = dateline(join(folder, `${size.id}.db`), { name: `dateline-${size.id}` })
    Object.assign(size.server.env, { DATELINE_MEDIA_DIR: size.mediaDir, DATELINE_MEDIA_RATE_LIMIT: '1000000' })
    await size.server.start()
    size.idle = memory(size.server.pid)
  }

  // The first upload of a process also loads libvips's codecs and starts its threads.
  for (const size of sizes) size.first = await upload(size.server, size)
  for (const size of sizes) size.afterFirst = memory(size.server.pid)
  for (const size of sizes) size.runs = []
  for (let i = 0; i < settings.runs; i++) {
    // Taking turns, the other first every other time: the machine drifts.
    for (const size of i % 2 === 0 ? sizes : [...sizes].reverse()) {
      const run = await upload(size.server, size)
      size.runs.push(run)
      log(`  ${size.label} upload ${i + 1}: ${Math.round(run.ms)} ms, server CPU ${Math.round(run.cpuMs)} ms, ${run.media.variants.length} variants`)
    }
  }
  for (const size of sizes) size.after = memory(size.server.pid)
}

function uploadReport () {
  const [big, small] = sizes
  const summary = (size) => ({
    label: size.label,
    jpegMegabytes: megabytes(size.jpeg.length),
    variants: size.runs[0].media.variants.length,
    variantBytes: size.runs[0].media.variants.reduce((sum, v) => sum + v.bytes, 0),
    firstUploadMs: round(size.first.ms, 0),
    uploadMs: spread(size.runs.map((r) => r.ms), 0),
    serverCpuMs: spread(size.runs.map((r) => r.cpuMs), 0),
    rssIdleMegabytes: size.idle.rss,
    rssAfterFirstMegabytes: size.afterFirst.rss,
    rssAfterMegabytes: size.after.rss,
    peakRssMegabytes: size.after.peak,
    processImageAloneMs: spread(size.processOnly.ms, 0),
    processImageAloneCpuMs: spread(size.processOnly.cpuMs, 0),
    processImageAlonePeakRssMegabytes: round(size.processOnly.peakRssMegabytes, 1),
    processImageAloneRssBeforeMegabytes: round(size.processOnly.rssBeforeMegabytes, 1),
    decodeAloneMs: spread(size.decodeOnly.ms, 0),
    decodeAloneCpuMs: spread(size.decodeOnly.cpuMs, 0),
    decodeAlonePeakRssMegabytes: round(size.decodeOnly.peakRssMegabytes, 1),
    decodeAloneRssBeforeMegabytes: round(size.decodeOnly.rssBeforeMegabytes, 1)
  })
  const report = { big: summary(big), small: summary(small) }
  report.ratios = {
    pixels: round((big.width * big.height) / (small.width * small.height), 1),
    uploadMs: round(report.big.uploadMs.median / report.small.uploadMs.median, 2),
    serverCpuMs: round(report.big.serverCpuMs.median / report.small.serverCpuMs.median, 2),
    peakRssAboveIdle: round((report.big.peakRssMegabytes - report.big.rssIdleMegabytes) / (report.small.peakRssMegabytes - report.small.rssIdleMegabytes), 2)
  }

  const row = (r) => [r.label, `${r.jpegMegabytes} MB`, r.variants, r.firstUploadMs,
    `${r.uploadMs.median} (${r.uploadMs.min}–${r.uploadMs.max})`, r.serverCpuMs.median,
    r.rssIdleMegabytes, r.peakRssMegabytes, round(r.peakRssMegabytes - r.rssIdleMegabytes, 1), r.rssAfterMegabytes]
  console.log(`\nUpload to variants: POST /v1/media over a socket, server on CPU 0; ${settings.runs} uploads per size after a first one, taking turns\n`)
  console.log(table([row(report.big), row(report.small)], ['image', 'JPEG', 'variants', 'first ms', 'ms median (min–max)', 'server CPU ms', 'RSS idle MB', 'peak RSS MB', 'peak − idle', 'RSS after']))
  console.log(`\n24 MP ÷ 2 MP: ${report.ratios.pixels}× the pixels, ${report.ratios.uploadMs}× the wall time, ${report.ratios.serverCpuMs}× the server CPU, ${report.ratios.peakRssAboveIdle}× the peak RSS above idle`)

  const alone = (r) => [r.label, `${r.decodeAloneMs.median} / ${r.decodeAloneCpuMs.median}`, `${r.decodeAlonePeakRssMegabytes} (${round(r.decodeAlonePeakRssMegabytes - r.decodeAloneRssBeforeMegabytes, 1)} above start)`,
    `${r.processImageAloneMs.median} / ${r.processImageAloneCpuMs.median}`, `${r.processImageAlonePeakRssMegabytes} (${round(r.processImageAlonePeakRssMegabytes - r.processImageAloneRssBeforeMegabytes, 1)} above start)`,
    round(r.serverCpuMs.median / r.processImageAloneCpuMs.median, 2)]
  console.log('\nThe same work without HTTP, database or disk (fresh process on CPU 0, the JPEG already in memory; medians):\n')
  console.log(table([alone(report.big), alone(report.small)], ['image', 'decode to 2048w ms / CPU ms', 'its peak RSS MB', 'processImage ms / CPU ms', 'its peak RSS MB', 'upload CPU ÷ processImage CPU']))
  return report
}

/** GET of one file on one server, `settings.connections` connections; every answer must be a 200. */
async function serve (server, path) {
  const run = await runLoad(server, () => [{ method: 'GET', path }], { connections: settings.connections, duration: settings.duration, warmup: settings.warmup })
  const codes = Object.keys(run.statuses)
  if (codes.some((code) => code !== '200')) throw new Error(`${server.name} GET ${path}: statuses ${JSON.stringify(run.statuses)}`)
  return run
}

/**
 * Rounds of every server on `path`, one starting further on each round (the machine drifts);
 * medians, and each ceiling's ratio to ours within the same round, then the median.
 */
async function compare (servers, path, label) {
  log(`serving ${path}, ${label}: ${settings.rounds} rounds × ${settings.duration} s, ${settings.connections} connections`)
  const runs = servers.map(() => [])
  for (let r = 0; r < settings.rounds; r++) {
    for (let k = 0; k < servers.length; k++) {
      const i = (r + k) % servers.length
      const run = await serve(servers[i].server, path)
      runs[i].push(run)
      log(`  round ${r + 1} ${servers[i].server.name}: ${Math.round(run.rps)} req/s, p99 ${round(run.p99, 1)} ms, ${Math.round(run.serverCpuUsPerRequest)} µs CPU/response`)
    }
  }
  const ours = runs[0]
  return {
    label,
    servers: servers.map(({ id, title }, i) => ({
      id,
      title,
      rps: spread(runs[i].map((r) => r.rps), 0),
      p50: spread(runs[i].map((r) => r.p50), 2),
      p99: spread(runs[i].map((r) => r.p99), 2),
      cpuUsPerResponse: spread(runs[i].map((r) => r.serverCpuUsPerRequest), 0),
      bytesPerResponse: runs[i][0].bytesPerResponse,
      // Dateline's req/s ÷ this server's, and its CPU per response ÷ this one's, round by round.
      oursRpsRatio: i === 0 ? null : spread(ours.map((run, j) => run.rps / runs[i][j].rps), 2),
      oursCpuRatio: i === 0 ? null : spread(ours.map((run, j) => run.serverCpuUsPerRequest / runs[i][j].serverCpuUsPerRequest), 2)
    }))
  }
}

/** Empty folders named like items' keys, as many as a library of `count` images has. */
function fillLibrary (mediaDir, count) {
  for (let i = 0; i < count; i++) mkdirSync(join(mediaDir, randomBytes(10).toString('hex')))
}

async function serving () {
  const big = sizes[0]
  const variant = big.runs.at(-1).media.variants.find((v) => v.type === 'image/jpeg' && v.width === 640)
  if (variant === undefined) throw new Error('no 640-wide JPEG variant in the upload\'s answer')
  const path = variant.url
  for (const size of sizes.slice(1)) await size.server.stop()
  const servers = [
    { id: 'dateline', title: 'Dateline /media', server: big.server },
    { id: 'sendfile', title: 'bare Fastify, a route + sendFile', server: new ChildServer('fastify-sendfile', [join(here, 'media', 'static-ceiling.mjs'), big.mediaDir, 'sendfile']) },
    { id: 'wildcard', title: 'bare Fastify + @fastify/static wildcard', server: new ChildServer('fastify-static', [join(here, 'media', 'static-ceiling.mjs'), big.mediaDir, 'wildcard']) }
  ]
  for (const { server } of servers.slice(1)) await server.start()
  const answers = {}
  for (const { id, server } of servers) {
    const answer = await request(server.port, path)
    if (answer.status !== 200) throw new Error(`${server.name} GET ${path}: ${answer.status}`)
    answers[id] = { headers: answer.headers, bytes: Number(answer.headers['content-length']) }
  }
  const items = readdirSync(big.mediaDir).filter((name) => !name.startsWith('.')).length
  const comparisons = [await compare(servers, path, `${items} items`)]
  if (settings.library > items) {
    fillLibrary(big.mediaDir, settings.library - items)
    comparisons.push(await compare(servers, path, `${settings.library.toLocaleString('en-US')} items`))
  }
  for (const { server } of servers.slice(1)) await server.stop()

  const rows = comparisons.flatMap((c) => c.servers.map((s) => [`${s.title}, ${c.label}`, `${s.rps.median} (${s.rps.min}–${s.rps.max})`, s.p50.median, s.p99.median, s.cpuUsPerResponse.median, s.bytesPerResponse,
    s.oursRpsRatio === null ? '' : `${s.oursRpsRatio.median} (${s.oursRpsRatio.min}–${s.oursRpsRatio.max})`, s.oursCpuRatio?.median ?? '']))
  console.log(`\nServing a variant from disk: GET ${path} (${variant.bytes} bytes), ${settings.connections} connections, autocannon on CPU 1; median (min–max) of ${settings.rounds} × ${settings.duration} s, taking turns;`)
  console.log('with the items uploaded in the media folder, then with empty folders added as a library of that many images has; "Dateline ÷" = Dateline\'s figure ÷ this one\'s in the same round\n')
  console.log(table(rows, ['server, media folder', 'req/s', 'p50 ms', 'p99 ms', 'server µs/response', 'bytes/response', 'Dateline ÷ req/s', 'Dateline ÷ CPU']))
  const extra = Object.keys(answers.dateline.headers).filter((name) => !(name in answers.sendfile.headers))
  console.log(`\nHeaders Dateline adds: ${extra.join(', ')} (${answers.dateline.bytes === answers.sendfile.bytes ? 'same body length' : 'BODY LENGTHS DIFFER'})`)
  return { path, fileBytes: variant.bytes, comparisons, headers: answers }
}

async function main () {
  const folder = mkdtempSync(join(os.tmpdir(), 'dateline-media-bench-'))
  const machine = {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? null,
    node: process.version,
    sharp: sharp.versions,
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2))
  }
  log(`load average ${machine.loadAverageAtStart.join(' ')} on ${machine.cpus} cores (${machine.model})`)
  try {
    await uploads(folder)
    const upload = uploadReport()
    const served = opts['uploads-only'] ? null : await serving()
    machine.loadAverageAtEnd = os.loadavg().map((v) => round(v, 2))
    console.log(`\nLoad average ${machine.loadAverageAtStart.join(' ')} at the start, ${machine.loadAverageAtEnd.join(' ')} at the end, ${machine.cpus} cores`)
    mkdirSync(dirname(opts.out), { recursive: true })
    writeFileSync(opts.out, JSON.stringify({ date: new Date().toISOString(), settings, machine, upload, serving: served }, null, 2) + '\n')
    console.log(`Wrote ${opts.out}`)
  } finally {
    for (const size of sizes) await size.server?.stop().catch(() => {})
    rmSync(folder, { recursive: true, force: true })
  }
}

await runOnLoadCpu(main)
