import cluster, { type Address, type Worker } from 'node:cluster'
import { hostname } from 'node:os'
import { databasePath, mediaLocationFor, type Config, type LogLevel } from './config.js'
import { withStore } from './db/open.js'
import { seedDemo } from './demo/seed.js'
import { withMediaStore } from './resources/media/stores.js'
import { humanLogStream, logStream } from './lib/log-stream.js'
import { drainTimeoutMs, startServer, startupMessages } from './server.js'

// `dateline serve --workers N`: N server processes sharing one port through node:cluster
// (`reusePort` needs Node 22.12; engines says 20.12). The primary does not serve HTTP: it
// migrates and seeds before forking, replaces workers that die, and drains them all on
// SIGTERM/SIGINT. Cluster's round-robin hands each connection to the next worker, so
// keep-alive clients are spread evenly (the kernel's own spreading, SCHED_NONE, piles them up
// on whichever worker wakes first).

// Workers that die before they ever listened, in a row, after which the primary gives up: a
// setting or a port that stops one stops the next, and forking on would be a fork storm.
const maxStartFailures = 3
// The workers drain on their own timer (server.ts), after DATELINE_DRAIN_DELAY; the primary's
// backstop is this long past both.
const stopMarginMs = 2_000

/** `--workers` above 1 with `:memory:`: each worker would have a database of its own. */
export class WorkersNeedSharedDatabase extends Error {
  // runCli prints DATELINE_ errors as one line and exits 2, like a bad setting.
  readonly code = 'DATELINE_WORKERS_NEED_A_SHARED_DATABASE'
}

/** What a worker tells the primary before it exits, when it could not start. */
interface StartFailed { dateline: 'start-failed', reason: string }

function isStartFailed (message: unknown): message is StartFailed {
  return typeof message === 'object' && message !== null && (message as { dateline?: unknown }).dateline === 'start-failed'
}

/** An error as one line for the operator, as runCli prints it (drizzle's errors go on with the SQL). */
function failureLine (error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && code !== '' ? `${message} (${code})` : String(message)
}

/**
 * `dateline serve`: one server in this process (`workers` 1: exactly as without a cluster),
 * or a primary and its workers. A worker runs this same command (cluster forks it with the
 * primary's arguments and environment) and lands in the first branch.
 */
export async function serve (config: Config): Promise<void> {
  if (cluster.isWorker) return await runWorker(config)
  if (config.workers === 1) {
    await startServer(config)
    return
  }
  if (databasePath(config.databaseUrl) === ':memory:') {
    throw new WorkersNeedSharedDatabase(`${config.workers} workers need a database they share, and with DATABASE_URL=:memory: each would have its own, empty one: use an SQLite file or PostgreSQL, or DATELINE_WORKERS=1`)
  }
  const demoSeeded = await prepareDatabase(config)
  await new Primary(config, demoSeeded).start()
}

/**
 * Migrates and, when the demo setting says so, seeds an empty database, once, then closes it:
 * workers start on a database with nothing left to do, so they never race on either.
 */
async function prepareDatabase (config: Config): Promise<boolean> {
  return await withStore(databasePath(config.databaseUrl), { synchronous: config.synchronous, timezone: config.timezone }, async (store) =>
    config.demo ? await withMediaStore(mediaLocationFor(config), async (media) => await seedDemo(store, { timezone: config.timezone, locale: config.locale }, media)) : false)
}

async function runWorker (config: Config): Promise<void> {
  try {
    await startServer(config, { id: cluster.worker!.id })
  } catch (error) {
    // Not on stderr: the primary says why, once, and decides whether to try again. The open
    // IPC channel would keep this process alive, hence the exit.
    const message: StartFailed = { dateline: 'start-failed', reason: failureLine(error) }
    process.send!(message, undefined, {}, () => process.exit(1))
  }
}

const levelValues: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY }

type Log = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => void

/** The primary's log lines, in the workers' form (pino's JSON; human lines on a terminal), without a worker id. */
function primaryLog (threshold: LogLevel): Log {
  const stream = process.stdout.isTTY === true ? humanLogStream() : logStream()
  const base = { pid: process.pid, hostname: hostname() }
  return (level, msg, fields = {}) => {
    if (levelValues[level] < levelValues[threshold]) return
    stream.write(`${JSON.stringify({ level: levelValues[level], time: Date.now(), ...base, ...fields, msg })}\n`)
  }
}

/** A worker as the primary follows it. */
interface Tracked {
  worker: Worker
  /** It listened once: it started, and dying now is a crash to replace, not a failed start. */
  listened: boolean
  /** Why it could not start, as it said. */
  failure: string | null
}

function describeExit (code: number | null, signal: string | null): string {
  return signal === null ? `exited with code ${code}` : `was ended by ${signal}`
}

/** The primary: forks the workers, replaces those that die, drains them on a signal. */
class Primary {
  readonly #workers = new Map<number, Tracked>()
  readonly #log: Log
  #startFailures = 0
  #announced = false
  #stopping = false
  #stopFailed = false
  /** What to do once the last worker has exited, after a stop. */
  #onAllStopped: (() => void) | null = null
  /** Settles `start()`: once every worker listens, or when no worker could start. */
  #started: { resolve: () => void, reject: (error: Error) => void } | null = null

  constructor (private readonly config: Config, private readonly demoSeeded: boolean) {
    this.#log = primaryLog(config.logLevel)
  }

  /** Forks the workers; resolves once they all listen, rejects (with the reason) if they cannot start. */
  async start (): Promise<void> {
    const started = new Promise<void>((resolve, reject) => { this.#started = { resolve, reject } })
    cluster.on('listening', (worker, address) => { this.#listening(worker, address) })
    cluster.on('message', (worker, message) => { this.#message(worker, message) })
    cluster.on('exit', (worker, code, signal) => {
      // Why it could not start may still be on its way: the channel closes after its last message.
      if (worker.isConnected()) worker.once('disconnect', () => { this.#exited(worker, code, signal) })
      else this.#exited(worker, code, signal)
    })
    process.on('SIGTERM', (signal) => { this.#stop(signal) })
    process.on('SIGINT', (signal) => { this.#stop(signal) })
    for (let n = 0; n < this.config.workers; n++) this.#fork()
    await started
  }

  #fork (): Worker {
    const worker = cluster.fork()
    this.#workers.set(worker.id, { worker, listened: false, failure: null })
    return worker
  }

  #listening (worker: Worker, address: Address): void {
    const tracked = this.#workers.get(worker.id)
    if (tracked === undefined) return
    tracked.listened = true
    this.#startFailures = 0
    if (this.#announced) {
      this.#log('info', `worker ${worker.id} (pid ${worker.process.pid}) is listening`, { worker: worker.id })
      return
    }
    if ([...this.#workers.values()].filter((each) => each.listened).length < this.config.workers) return
    this.#announced = true
    for (const { msg, ...fields } of startupMessages(this.config, address.port, this.demoSeeded)) this.#log('info', msg, { startup: fields })
    this.#started?.resolve()
  }

  #message (worker: Worker, message: unknown): void {
    const tracked = this.#workers.get(worker.id)
    if (tracked !== undefined && isStartFailed(message)) tracked.failure = message.reason
  }

  #exited (worker: Worker, code: number | null, signal: string | null): void {
    const tracked = this.#workers.get(worker.id)
    if (tracked === undefined) return
    this.#workers.delete(worker.id)
    if (this.#stopping) return this.#stoppedOne(tracked, code, signal)
    if (!tracked.listened) return this.#failedToStart(tracked, code, signal)
    // A crash, a kill, or a SIGTERM sent to this worker alone (it drained): replaced at once.
    const next = this.#fork()
    this.#log(code === 0 ? 'info' : 'error', `worker ${worker.id} (pid ${worker.process.pid}) ${describeExit(code, signal)}; worker ${next.id} replaces it`, { worker: worker.id })
  }

  #failedToStart (tracked: Tracked, code: number | null, signal: string | null): void {
    const { worker } = tracked
    const reason = tracked.failure ?? `it ${describeExit(code, signal)} before it listened`
    this.#startFailures++
    if (this.#startFailures >= maxStartFailures) return this.#giveUp(reason)
    const next = this.#fork()
    this.#log('warn', `worker ${worker.id} could not start: ${reason}; worker ${next.id} tries again`, { worker: worker.id })
  }

  /** Workers cannot start, time after time: stop the others and end with the reason. */
  #giveUp (reason: string): void {
    const message = `${maxStartFailures} workers in a row could not start, the last because: ${reason}`
    this.#stopping = true
    this.#stopFailed = true
    if (!this.#announced) {
      // Before the start-up messages: runCli prints it as the one line of a failed start.
      const started = this.#started
      this.#whenAllStopped(() => { started?.reject(new Error(message)) })
    } else {
      this.#log('fatal', `${message}; stopping`)
      this.#whenAllStopped(() => { process.exit(1) })
    }
    this.#signalAll('SIGTERM')
  }

  /** SIGTERM/SIGINT: every worker drains as a lone server does; a second signal ends them at once. */
  #stop (signal: NodeJS.Signals): void {
    if (this.#stopping) {
      this.#log('error', `${signal} again: ending the workers without waiting for their requests`)
      this.#signalAll('SIGKILL')
      process.exit(1)
    }
    this.#stopping = true
    const delay = this.config.drainDelay === 0 ? '' : `answer 503 to /readyz for ${this.config.drainDelay} ms, then `
    this.#log('info', `${signal}: the workers ${delay}drain their in-flight requests, then close`, { signal })
    const backstop = setTimeout(() => {
      this.#log('error', 'workers still running after the drain timeout; ending them')
      this.#signalAll('SIGKILL')
      process.exit(1)
    }, this.config.drainDelay + drainTimeoutMs + stopMarginMs)
    backstop.unref()
    this.#whenAllStopped(() => { process.exit(this.#stopFailed ? 1 : 0) })
    this.#signalAll('SIGTERM')
  }

  #whenAllStopped (then: () => void): void {
    this.#onAllStopped = then
    if (this.#workers.size === 0) then()
  }

  #stoppedOne (tracked: Tracked, code: number | null, signal: string | null): void {
    // A worker still starting has no handler for SIGTERM yet, and had nothing in flight.
    const clean = code === 0 || (!tracked.listened && signal !== null)
    if (!clean) {
      this.#stopFailed = true
      this.#log('error', `worker ${tracked.worker.id} (pid ${tracked.worker.process.pid}) ${describeExit(code, signal)} while draining`, { worker: tracked.worker.id })
    }
    if (this.#workers.size === 0) this.#onAllStopped?.()
  }

  #signalAll (signal: NodeJS.Signals): void {
    for (const { worker } of this.#workers.values()) worker.process.kill(signal)
  }
}
