// `dateline serve --workers 2` as a real process tree, for the tests of workers on SQLite
// (workers.test.ts) and on PostgreSQL (test/postgres/workers.test.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import http from 'node:http'
import type { TapLike } from '../helper.js'
import { adminToken, freePort, host, spawnCli, until, type Answer, type Sent, type ServerProcess } from './server-process.js'

// Past this a request is counted as hung: the answer of a live worker takes milliseconds.
export const hungAfterMs = 4_000

export interface Workers extends ServerProcess {
  /** The pids of the primary's children, the workers. */
  workerPids: () => number[]
  /** The JSON log lines so far. */
  logs: () => Array<Record<string, any>>
}

export function childrenOf (pid: number): number[] {
  try {
    return execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).split('\n').map((line) => line.trim()).filter((line) => line !== '').map(Number)
  } catch {
    // ps exits 1 when there are none.
    return []
  }
}

export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function mediaFolder (t: TapLike): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-workers-media-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** `dateline serve --workers 2`, returned once the primary said that every worker listens. */
export async function startWorkers (t: TapLike, databaseUrl: string, env: Record<string, string> = {}): Promise<Workers> {
  const port = await freePort()
  const server = spawnCli(t, ['serve', '--workers', '2'], {
    PORT: String(port),
    HOST: host,
    DATABASE_URL: databaseUrl,
    DATELINE_DEMO: 'false',
    DATELINE_ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'info',
    // Its own: on PostgreSQL the default is data/media in the working directory, the checkout's.
    DATELINE_MEDIA_DIR: mediaFolder(t),
    ...env
  })
  // Whole lines only: the last may still be arriving.
  const logs = () => server.output().split('\n').slice(0, -1).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>)
  await until(60_000, `the primary saying every worker listens (output so far: ${server.output()})`, () => {
    if (server.child.exitCode !== null) throw new Error(`the server exited early:\n${server.output()}`)
    return logs().some((line) => line.startup?.workers === 2)
  })
  return { ...server, workerPids: () => childrenOf(server.child.pid!), logs }
}

export type Outcome = { kind: 'answer', answer: Answer } | { kind: 'error', code: string }

/** One request on its own connection, as `send`, but a request left hanging is an outcome too. */
export function attempt (port: number, options: Sent): Promise<Outcome> {
  return new Promise((resolve) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const headers = { ...options.headers, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }) }
    const request = http.request({ host, port, method: options.method ?? 'GET', path: options.path, headers, agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
      response.on('end', () => resolve({ kind: 'answer', answer: { status: response.statusCode!, headers: response.headers, body } }))
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? error.message }))
    })
    request.setTimeout(hungAfterMs, () => { request.destroy(Object.assign(new Error('no answer'), { code: 'HUNG' })) })
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? error.message }))
    request.end(payload)
  })
}

export function answered (outcome: Outcome, status: number): Answer | null {
  return outcome.kind === 'answer' && outcome.answer.status === status ? outcome.answer : null
}
