import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import t from 'tap'
import { tempDatabase, type TapLike } from './helper.js'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const host = '127.0.0.1'
const adminToken = 'a-long-admin-token-for-the-server-test-0001'

interface Server {
  child: ChildProcess
  port: number
  output: () => string
  stderr: () => string
  /** Log lines of the server that are JSON (pino), parsed. */
  logs: () => Array<Record<string, any>>
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

async function freePort (): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>((resolve) => probe.listen(0, host, resolve))
  const { port } = probe.address() as net.AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** Runs `dateline serve` from the TypeScript sources, with tap's loader, as production would run dist/cli.js. */
async function startCli (t: TapLike, env: Record<string, string>): Promise<Server> {
  const port = await freePort()
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
    !key.startsWith('DATELINE_') && !['PORT', 'HOST', 'DATABASE_URL', 'LOG_LEVEL'].includes(key)))
  const child = spawn(process.execPath, [...process.execArgv, cli, 'serve'], {
    env: { ...cleanEnv, PORT: String(port), HOST: host, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const logs = () => stdout.split('\n').flatMap((line) => {
    try { return [JSON.parse(line) as Record<string, any>] } catch { return [] }
  })
  return { child, port, output: () => `${stdout}${stderr}`, stderr: () => stderr, logs, exited }
}

interface Answer { status: number, headers: http.IncomingHttpHeaders, body: string }

function send (port: number, options: { method?: string, path: string, headers?: Record<string, string>, body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }))
    })
    request.on('error', reject)
    request.end(options.body)
  })
}

async function within<T> (ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function until (ms: number, what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${what}: not within ${ms} ms`)
}

async function waitReady (server: Server): Promise<void> {
  await until(20_000, `GET /readyz answering 200 (output so far: ${server.output()})`, async () => {
    if (server.child.exitCode !== null) throw new Error(`the server exited early:\n${server.output()}`)
    try {
      return (await send(server.port, { path: '/readyz' })).status === 200
    } catch {
      return false
    }
  })
}

function connectError (port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    socket.once('connect', () => { socket.destroy(); resolve(null) })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
}

function incoming (server: Server, method: string, url: string): number {
  return server.logs().filter((line) => line.msg === 'incoming request' && line.req?.method === method && line.req?.url === url).length
}

t.test('dateline serve answers, drains in-flight requests on SIGTERM, exits 0 and never logs the bearer token', async (t) => {
  const databaseUrl = tempDatabase(t)
  const server = await startCli(t, { DATABASE_URL: databaseUrl, DATELINE_DEMO: 'true', DATELINE_ADMIN_TOKEN: adminToken })
  await waitReady(server)
  const auth = { authorization: `Bearer ${adminToken}` }

  const health = await send(server.port, { path: '/healthz' })
  t.equal(health.status, 200)
  t.same(JSON.parse(health.body), { status: 'ok' })

  const list = await send(server.port, { path: '/v1/articles?include=author' })
  t.equal(list.status, 200)
  const articles = JSON.parse(list.body).data as Array<Record<string, any>>
  t.ok(articles.length >= 12, `the demo articles are served (${articles.length})`)
  t.ok(articles.every((article) => typeof article.author?.name === 'string' && article.author.id === article.authorId), 'each with its author object')
  t.ok(articles.every((article) => !('email' in article.author)), 'authors carry no email for anonymous readers')

  const drafts = await send(server.port, { path: '/v1/articles?status=draft', headers: auth })
  t.equal(drafts.status, 200, 'the admin token from DATELINE_ADMIN_TOKEN is accepted')
  t.ok(JSON.parse(drafts.body).data.length >= 1, 'and sees the demo draft')

  // A request whose body is still arriving when SIGTERM comes: truly in flight.
  const body = JSON.stringify({ name: 'Late Writer', bio: 'Filed just before closing time.' })
  let slowPostRest = () => {}
  const slowPost = new Promise<Answer>((resolve, reject) => {
    const request = http.request({
      host, port: server.port, method: 'POST', path: '/v1/authors', agent: false,
      headers: { ...auth, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
    }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }))
    })
    request.on('error', reject)
    request.write(body.slice(0, 10))
    slowPostRest = () => { request.end(body.slice(10)) }
  })

  const listUrl = '/v1/articles?include=author&limit=100'
  const before = incoming(server, 'GET', listUrl)
  const lists = Array.from({ length: 8 }, () => send(server.port, { path: listUrl }))
  await until(5_000, 'the server receiving the requests', () =>
    incoming(server, 'POST', '/v1/authors') === 1 && incoming(server, 'GET', listUrl) === before + 8)

  server.child.kill('SIGTERM')
  await until(5_000, 'the server starting to drain', () => /draining in-flight requests/.test(server.output()))
  await until(3_000, 'new connections being refused while draining', async () => (await connectError(server.port)) === 'ECONNREFUSED')
  t.equal(server.child.exitCode, null, 'the server waits for the request in flight')
  slowPostRest()

  const answers = await within(10_000, 'the in-flight GETs', Promise.all(lists))
  t.same(answers.map((answer) => answer.status), answers.map(() => 200), 'every GET sent before SIGTERM completes with 200')
  t.ok(answers.every((answer) => JSON.parse(answer.body).data.length >= 12), 'with the articles')
  const created = await within(10_000, 'the in-flight POST', slowPost)
  t.equal(created.status, 201, 'the POST in flight during SIGTERM completes', { body: created.body })
  t.equal(JSON.parse(created.body).name, 'Late Writer')

  const { code, signal } = await within(10_000, 'the process exiting after SIGTERM', server.exited)
  t.equal(code, 0, 'exits with code 0')
  t.equal(signal, null)
  t.equal(await connectError(server.port), 'ECONNREFUSED', 'new connections are refused once closed')

  t.notOk(existsSync(`${databaseUrl}-wal`), 'the database was closed (its WAL checkpointed away)')
  const db = new Database(databaseUrl, { readonly: true })
  t.teardown(() => db.close())
  t.same(db.prepare('select name from authors where name = ?').all('Late Writer'), [{ name: 'Late Writer' }], 'the drained POST was committed')

  const output = server.output()
  t.ok(server.logs().some((line) => line.req?.method === 'POST' && line.req?.url === '/v1/authors'), 'the authenticated requests were logged')
  t.notOk(output.includes(adminToken), 'the log never contains the bearer token')
  t.notMatch(output, /"level":50|"level":60/, 'nothing was logged as an error', { output })
})

t.test('dateline serve with a bad DATELINE_TIMEZONE exits non-zero with one line and no stack', async (t) => {
  const server = await startCli(t, { DATABASE_URL: tempDatabase(t), DATELINE_TIMEZONE: 'Nowhere/Nope' })
  const { code } = await within(20_000, 'the process exiting', server.exited)
  t.not(code, 0, `exits non-zero (${code})`)
  t.notOk(code === null, 'exits by itself, not by a signal')
  const stderr = server.stderr()
  const lines = stderr.split('\n').filter((line) => line.trim() !== '')
  t.equal(lines.length, 1, 'exactly one line on stderr', { stderr })
  t.match(lines[0], /DATELINE_TIMEZONE/, 'naming the setting')
  t.notMatch(server.output(), /^ {4}at /m, 'no stack trace')
})
