// One load run with autocannon's programmatic API: a warm-up, then a fixed duration, measuring
// every response's latency (float ms, from autocannon's 'response' event), the status codes,
// the server's CPU time and its RSS (sampled from /proc while the load runs).

import http from 'node:http'
import autocannon from 'autocannon'
import { percentile, request, round } from './common.mjs'

function cannon (port, requests, connections, duration) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    requests,
    timeout: 10
  })
}

/**
 * @param {import('./servers.mjs').ChildServer} server
 * @param {() => object[]} makeRequests  a fresh autocannon `requests` array (with setupRequest/onResponse)
 * @param {{ connections: number, duration: number, warmup: number, sampleMs?: number, onSample?: (s: object) => void }} options
 */
/**
 * Waits until the server has answered what autocannon left in flight: one more request queues
 * behind them. Otherwise a slow scenario's backlog would be timed as the next one's latency.
 */
export async function drain (server) {
  try {
    await request(server.port, server.readyPath, { timeoutMs: 300_000 })
  } catch {}
}

export async function runLoad (server, makeRequests, { connections, duration, warmup, sampleMs = 200, onSample, beforeMeasure }) {
  if (warmup > 0) {
    await cannon(server.port, makeRequests(), connections, warmup)
    await drain(server)
  }
  await beforeMeasure?.()
  const latencies = []
  const rss = []
  const startedAt = performance.now()
  const sample = () => {
    const memory = server.memory()
    if (memory === null) return
    const point = { t: (performance.now() - startedAt) / 1000, rssMegabytes: memory.rssMegabytes }
    rss.push(point)
    onSample?.(point)
  }
  sample()
  const timer = setInterval(sample, sampleMs)
  const cpuBefore = server.cpuMs()
  // A server with a database of its own processes (PostgreSQL's backends): their CPU time too.
  const databaseBefore = await server.databaseCpu?.sample()
  const started = performance.now()
  const instance = cannon(server.port, makeRequests(), connections, duration)
  instance.on('response', (client, statusCode, resBytes, responseTime) => { latencies.push(responseTime) })
  const result = await instance
  const seconds = (performance.now() - started) / 1000
  const cpuAfter = server.cpuMs()
  const databaseAfter = await server.databaseCpu?.sample()
  await drain(server)
  clearInterval(timer)
  sample()
  const sorted = Float64Array.from(latencies).sort()
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]))
  const responses = sorted.length
  const rssValues = rss.map((p) => p.rssMegabytes)
  return {
    responses,
    seconds: round(seconds, 2),
    rps: responses / seconds,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1],
    mean: responses === 0 ? null : sorted.reduce((a, b) => a + b, 0) / responses,
    statuses,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    serverCpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    serverCpuUsPerRequest: cpuBefore === null || cpuAfter === null || responses === 0 ? null : (cpuAfter - cpuBefore) * 1000 / responses,
    databaseCpuUsPerRequest: databaseBefore === undefined || responses === 0 ? null : server.databaseCpu.used(databaseBefore, databaseAfter) * 1000 / responses,
    rss: {
      startMegabytes: rssValues[0] ?? null,
      endMegabytes: rssValues.at(-1) ?? null,
      peakMegabytes: rssValues.length === 0 ? null : Math.max(...rssValues)
    },
    rssSeries: rss,
    bytesPerResponse: responses === 0 ? null : Math.round(result.throughput.total / responses)
  }
}

/**
 * An open-loop run: requests start at an even pace of `rate` per second (a new one every
 * 1/rate s, whether or not earlier ones were answered) over at most `connections` keep-alive
 * sockets, for `duration` seconds. autocannon's own rate limit sends each second's budget in
 * a burst, which measures the queue behind the burst; this measures the service time.
 */
export async function runPaced (server, makeRequests, { connections, duration, rate }) {
  const [template] = makeRequests()
  const next = () => template.setupRequest({ method: template.method ?? 'GET', path: template.path, headers: template.headers ?? {} }, {})
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const latencies = []
  let sent = 0
  let settled = 0
  let errors = 0
  const started = performance.now()
  await new Promise((resolve) => {
    const send = () => {
      const { path, headers } = next()
      const at = performance.now()
      sent++
      http.get({ host: '127.0.0.1', port: server.port, path, headers, agent }, (response) => {
        response.resume()
        response.on('end', () => { latencies.push(performance.now() - at); settled++ })
      }).on('error', () => { errors++; settled++ })
    }
    const timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000
      if (elapsed < duration) {
        while (sent < Math.floor(elapsed * rate)) send()
        return
      }
      clearInterval(timer)
      const finish = () => settled >= sent ? resolve() : setTimeout(finish, 5)
      finish()
    }, 1)
  })
  agent.destroy()
  const sorted = Float64Array.from(latencies).sort()
  return { rate, responses: sorted.length, errors, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.length === 0 ? null : sorted[sorted.length - 1] }
}
