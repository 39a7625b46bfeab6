// Preloaded into the server by bench/import.mjs (`node --import`), never by production code:
// the main thread's event-loop delay (perf_hooks.monitorEventLoopDelay). On SIGUSR2 it writes
// what it saw since the last SIGUSR2 (longest delay, p99) to DATELINE_BENCH_STALL_DIR/<pid>.json
// and starts over. Nothing is written in between: a synchronous write every 100 ms, as this
// file once did, waited for the disk while an import's commit was being written back, and
// those waits (70–130 ms) were the stalls it reported. Worker threads run this preload too:
// only the main thread's loop is the one requests wait for.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'

const dir = process.env.DATELINE_BENCH_STALL_DIR
if (dir !== undefined && isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  histogram.enable()
  process.on('SIGUSR2', () => {
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({
      maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, samples: histogram.count
    }))
    histogram.reset()
  })
}
