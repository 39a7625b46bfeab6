// Preloaded into a server for the isolation bench (bench/search/isolation.mjs), never in
// production: `node --import ./bench/search/loop-delay.mjs dist/cli.js serve`. It watches the
// event loop with perf_hooks.monitorEventLoopDelay and, on SIGUSR2, writes what it saw since
// the last SIGUSR2 (longest stall, p99, in ms) to $DATELINE_BENCH_LOOP_DELAY_FILE, then starts
// over. SIGUSR1 is Node's inspector signal, hence USR2.
import { writeFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'

const file = process.env.DATELINE_BENCH_LOOP_DELAY_FILE
// The main thread's: worker threads run the preload too (a read worker's own loop is not the
// one requests wait for).
if (file !== undefined && file !== '' && isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  let report = 0
  process.on('SIGUSR2', () => {
    const ms = (ns) => Number((ns / 1e6).toFixed(2))
    report++
    writeFileSync(file, JSON.stringify({ report, maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), samples: histogram.count }))
    histogram.reset()
  })
}
