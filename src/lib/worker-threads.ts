import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ResourceLimits } from 'node:worker_threads'

// What every worker thread of ours is started with (the read workers, an import's reader and
// writer threads).

/**
 * A worker's entry module beside `caller` (its `import.meta.url`), named `name`: `.js` from
 * dist/, `.ts` when the tests run the sources through their TypeScript loader (workers inherit
 * the process's `--import`, so they load TypeScript as the main thread does).
 */
export function workerEntry (caller: string, name: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(caller))}`, caller)
}

/**
 * Each thread has a heap of its own, and V8 sizes a new one's young generation for speed
 * (tens of MB): an import's threads came to ~170 MB more peak RSS on a 20 MB import that way
 * (bench/import.mjs). They hold little at a time; a small young generation is enough.
 */
const workerHeap = { maxYoungGenerationSizeMb: 8 }

/**
 * The heap of a thread that works through a large file (an import's reader and writer).
 * Giving V8 any old-generation limit makes it grow that heap in smaller steps (it sizes its
 * growing factor by the limit): the 100 MB WXR's import peaked at 243–261 MB of RSS with these
 * limits, 330–350 without, for a few tenths of a second more collecting (bench/import.mjs).
 * `keepsMegabytes`: what the thread may have to keep at once, when that can be more than 1 GB.
 */
export function fileWorkerHeap (keepsMegabytes = 0): ResourceLimits {
  return { ...workerHeap, maxOldGenerationSizeMb: Math.max(1024, Math.ceil(keepsMegabytes)) }
}

/**
 * Lowers the calling thread's scheduling priority (its nice value, 10), so that the main
 * thread, which answers requests, gets a core first when it wants one. For threads that keep
 * the cores busy for seconds (an import's reader and writer). Measured on 2 cores during an
 * API import (bench/import.mjs): the main thread's longest event-loop delay 15–16 ms and p99
 * 9–9.5 ms, against 18–21 ms and 11.4 ms at equal priority; the import itself took ~4% longer.
 * Linux names each thread a task of its own; elsewhere the threads keep the process's priority.
 */
export function yieldCoresToMainThread (): void {
  try {
    const task = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
    if (Number.isInteger(task)) setPriority(task, 10)
  } catch {
    // Not Linux, or not allowed: the thread runs at the process's priority.
  }
}
