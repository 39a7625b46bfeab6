import { htmlToText, sanitizeArticleHtml, sanitizeCommentHtml } from '../../lib/html.js'
import { defaultPoolSize, WorkerPool, workerEntry } from '../../lib/worker-pool.js'
import type { ImportRecord } from './records.js'

// Sanitising an imported body, and reading its text for the excerpt and the search index, is
// most of an import's CPU beside the database's own (bench/import.mjs): it runs in a pool of
// worker threads while the file is still being read, so it takes the other cores and the
// apply phase only writes. The workers run the same functions the API's writes run.

/** A body as the API would store it: sanitised, and (articles) its text. */
export interface SanitisedBody { html: string, text: string | null }

export interface BodyTask { kind: 'article' | 'comment', body: string }

export function sanitiseBody (task: BodyTask): SanitisedBody {
  if (task.kind === 'comment') return { html: sanitizeCommentHtml(task.body), text: null }
  const html = sanitizeArticleHtml(task.body)
  return { html, text: htmlToText(html) }
}

export function sanitiseBodies (tasks: BodyTask[]): SanitisedBody[] {
  return tasks.map(sanitiseBody)
}

/** A record with its body sanitised ahead of the apply phase (articles and comments). */
export interface PreparedRecord { record: ImportRecord, sanitised: SanitisedBody | null }

function taskOf (record: ImportRecord): BodyTask | null {
  return record.kind === 'article' || record.kind === 'comment' ? { kind: record.kind, body: record.body } : null
}

let pool: WorkerPool<BodyTask[], SanitisedBody[]> | undefined

/**
 * The process's sanitising pool, started on first use. One per process rather than one per
 * app: it holds no state and no connection, only threads, and an idle one keeps nothing alive.
 * One thread fewer than the cores: the import's writer takes one, and is what the import waits
 * for (bench/import.mjs, 2 cores: a second sanitiser made it no faster and cost 40 MB of RSS).
 */
export function sanitisingPool (): WorkerPool<BodyTask[], SanitisedBody[]> {
  pool ??= new WorkerPool(workerEntry(import.meta.url, 'sanitising-worker'), Math.max(1, defaultPoolSize() - 1))
  return pool
}

export interface PrepareOptions {
  /** Records sent to a worker at once: enough to make a message's cost small beside the work. */
  batch?: number
  /** Batches in flight at most: keeps every worker busy while memory stays bounded. */
  inFlight?: number
  /**
   * Records sanitised here before the pool is asked: a small file is done before threads
   * would have started (and loaded sanitize-html), so the pool only starts for larger ones.
   */
  here?: number
}

async function sanitisedBatch (run: (tasks: BodyTask[]) => Promise<SanitisedBody[]>, records: ImportRecord[]): Promise<PreparedRecord[]> {
  const tasks = records.map(taskOf)
  const bodies = await run(tasks.filter((task) => task !== null))
  let next = 0
  return records.map((record, i) => ({ record, sanitised: tasks[i] === null ? null : bodies[next++]! }))
}

/**
 * The records in file order, each article's and comment's body sanitised in the pool while
 * the next ones are read. A failure anywhere (the file, a worker) throws from the iteration;
 * batches still in flight then settle unobserved.
 */
export async function * sanitisedInParallel (records: AsyncIterable<ImportRecord>, run: (tasks: BodyTask[]) => Promise<SanitisedBody[]>, options: PrepareOptions = {}): AsyncGenerator<PreparedRecord> {
  const batchSize = options.batch ?? 32
  const inFlight = options.inFlight ?? 8
  let here = options.here ?? 200
  const queue: Array<Promise<PreparedRecord[]>> = []
  const send = (batch: ImportRecord[]): void => {
    const sent = sanitisedBatch(run, batch)
    // Awaited in turn below; a rejection is seen there, or not at all if reading failed first.
    sent.catch(() => {})
    queue.push(sent)
  }
  let batch: ImportRecord[] = []
  for await (const record of records) {
    if (here > 0) {
      here--
      const task = taskOf(record)
      yield { record, sanitised: task === null ? null : sanitiseBody(task) }
      continue
    }
    batch.push(record)
    if (batch.length < batchSize) continue
    send(batch)
    batch = []
    if (queue.length >= inFlight) yield * await queue.shift()!
  }
  if (batch.length > 0) send(batch)
  while (queue.length > 0) yield * await queue.shift()!
}
