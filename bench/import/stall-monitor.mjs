// Preloaded into the server by bench/import.mjs (`node --import`), never by production code:
// the event loop's delay (perf_hooks.monitorEventLoopDelay), written every 100 ms and at exit
// to DATELINE_BENCH_STALL_DIR/<pid>.json. SIGUSR2 starts the measurement over (the bench
// sends it once the server is ready, so start-up is not counted).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'

const dir = process.env.DATELINE_BENCH_STALL_DIR
if (dir !== undefined) {
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  histogram.enable()
  const write = () => {
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({
      maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, samples: histogram.count
    }))
  }
  process.on('SIGUSR2', () => { histogram.reset(); write() })
  setInterval(write, 100).unref()
  process.on('exit', write)
}
