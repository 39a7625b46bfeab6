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
