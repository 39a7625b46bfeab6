// Helpers for the reliability tests: `dateline` run as a real child process, plain HTTP
// against it.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TapLike } from '../helper.js'
import { transpile } from '../loader/transpile.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))
export const host = '127.0.0.1'
export const adminToken = 'a-long-admin-token-for-reliability-tests-01'
export const admin = { authorization: `Bearer ${adminToken}` }

export interface Exit { code: number | null, signal: NodeJS.Signals | null }

export interface ServerProcess {
  child: ChildProcess
  port: number
  output: () => string
  stderr: () => string
  exited: Promise<Exit>
}

export async function freePort (): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, host, resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** The environment without any setting of ours, so a test says exactly what it sets. */
function cleanEnv (): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) =>
    !key.startsWith('DATELINE_') && !['PORT', 'HOST', 'DATABASE_URL', 'LOG_LEVEL'].includes(key)))
}

let compiled: string | undefined

/**
 * `src/cli.js` of a copy of the sources transpiled to JavaScript, file by file, as the tests'
 * loader does (test/loader), but once for all the processes a test file starts: a
 * child then starts in well under a second instead of compiling every source again. Like
 * dist/, it sits beside (links to) package.json, migrations/ and node_modules/.
 */
export function compiledCli (): string {
  if (compiled !== undefined) return compiled
  const out = mkdtempSync(join(tmpdir(), 'dateline-compiled-'))
  process.once('exit', () => rmSync(out, { recursive: true, force: true }))
  for (const name of ['package.json', 'migrations', 'node_modules']) symlinkSync(join(root, name), join(out, name))
  const sources = readdirSync(join(root, 'src'), { recursive: true }).map(String).filter((file) => file.endsWith('.ts'))
  for (const file of sources) {
    const source = readFileSync(join(root, 'src', file), 'utf8')
    const target = join(out, 'src', file.replace(/\.ts$/, '.js'))
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, transpile(source, file, { inlineSourceMap: false }))
  }
  // Readable by another user (the read-only cases run the server as nobody).
  chmodSync(out, 0o755)
  compiled = join(out, 'src', 'cli.js')
  return compiled
}

export interface SpawnOptions {
  /** Run as this user and group (root only): file modes bind it, unlike root. */
  user?: { uid: number, gid: number }
}

/**
 * Spawns `dateline <argv>` (the compiled copy). tap adds its coverage recorder to every
 * child's NODE_OPTIONS, hence `env -u`: it would slow each start down, cover nothing of the
 * copy, and fail for another user (it writes under .tap/, root's).
 */
export function spawnCli (t: TapLike, argv: string[], env: Record<string, string>, options: SpawnOptions = {}): ServerProcess {
  const { user } = options
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, compiledCli(), ...argv], {
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user === undefined ? {} : { uid: user.uid, gid: user.gid })
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  return { child, port: Number(env.PORT ?? 0), output: () => `${stdout}${stderr}`, stderr: () => stderr, exited }
}

/** `dateline serve` on `databaseUrl`, with the admin token, no demo, quiet logs; ready when it returns. */
export async function startServer (t: TapLike, databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort()
  const server = spawnCli(t, ['serve'], {
    PORT: String(port),
    HOST: host,
    DATABASE_URL: databaseUrl,
    DATELINE_DEMO: 'false',
    DATELINE_ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'warn',
    ...env
  })
  await waitReady(server)
  return server
}

export async function waitReady (server: ServerProcess): Promise<void> {
  await until(30_000, `GET /readyz answering 200 (output so far: ${server.output()})`, async () => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`the server exited early:\n${server.output()}`)
    try {
      return (await send(server.port, { path: '/readyz' })).status === 200
    } catch {
      return false
    }
  })
}

export interface Answer { status: number, headers: http.IncomingHttpHeaders, body: string }

export interface Sent { method?: string, path: string, headers?: Record<string, string>, body?: unknown }

/** One request on its own connection; JSON bodies are serialised. Rejects on a connection error (with its `code`). */
export function send (port: number, options: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const headers = { ...options.headers, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }) }
    const request = http.request({ host, port, method: options.method ?? 'GET', path: options.path, headers, agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }))
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(payload)
  })
}

export async function until (ms: number, what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(25)
  }
  throw new Error(`${what}: not within ${ms} ms`)
}

export async function within<T> (ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function sleep (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function sha256 (file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

export function nonEmptyLines (text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}
