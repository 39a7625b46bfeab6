// Issue 15: how the HTTP server treats connections, over real sockets: an early refusal the
// client can read (item 7), timeouts for slow clients, a cap on connections.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { AppOptions } from '../src/app.js'
import { adminSecret, build, type TapLike } from './helper.js'

async function listening (t: TapLike, overrides: Partial<AppOptions> = {}): Promise<{ app: FastifyInstance, port: number }> {
  const app = await build(t, overrides)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port }
}

interface Outcome { status?: number, type?: string, body: string, error?: string }

/**
 * POSTs `size` bytes as a careless script does: the whole body first, then the answer is read
 * (a plain socket, so nothing of Node's http client closes early on its own).
 */
function postLarge (port: number, size: number, contentType = 'application/json'): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let received = ''
    let error: string | undefined
    socket.setEncoding('utf8')
    socket.on('error', (failure: NodeJS.ErrnoException) => { error ??= failure.code ?? failure.message })
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]
      const type = /^content-type: *(.*)$/im.exec(head)?.[1]
      resolve({ body, ...(status === undefined ? {} : { status: Number(status) }), ...(type === undefined ? {} : { type }), ...(error === undefined ? {} : { error }) })
    })
    socket.write(`POST /v1/authors HTTP/1.1\r\nhost: localhost\r\ncontent-type: ${contentType}\r\ncontent-length: ${size}\r\nauthorization: Bearer ${adminSecret}\r\n\r\n`)
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    let sent = 0
    const pump = (): void => {
      while (sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent))
        sent += piece.length
        if (!socket.write(piece)) {
          socket.once('drain', pump)
          return
        }
      }
      // Only now is the answer read, as a client that sends first and reads after.
      socket.on('data', (text: string) => { received += text })
      socket.end()
    }
    pump()
  })
}

t.test('a body over the limit gets a readable 413 problem, not a reset, while the client is still sending', async (t) => {
  const { port } = await listening(t, { bodyLimit: 1024 * 1024 })
  for (let attempt = 1; attempt <= 8; attempt++) {
    const outcome = await postLarge(port, 6 * 1024 * 1024)
    t.equal(outcome.error, undefined, `attempt ${attempt}: no connection error (${outcome.error})`)
    t.equal(outcome.status, 413, `attempt ${attempt}: 413`)
    t.match(outcome.type, /^application\/problem\+json/)
    t.match(JSON.parse(outcome.body || '{}'), { status: 413, type: 'https://dateline.dev/problems/body-too-large' })
  }
})

t.test('an early 415 while the client is still sending is readable too', async (t) => {
  const { port } = await listening(t, { bodyLimit: 8 * 1024 * 1024 })
  for (let attempt = 1; attempt <= 4; attempt++) {
    const outcome = await postLarge(port, 4 * 1024 * 1024, 'text/csv')
    t.equal(outcome.error, undefined, `attempt ${attempt}: no connection error (${outcome.error})`)
    t.equal(outcome.status, 415, `attempt ${attempt}: 415`)
  }
})

/** Opens a connection that sends a request head, then its body one byte every `everyMs`; resolves with what the server answered and when the connection ended. */
function trickle (port: number, path: string, everyMs: number, contentType = 'application/json'): Promise<{ answer: string, ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = net.connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8').on('data', (text: string) => { answer += text })
    socket.on('error', () => {})
    socket.write(`POST ${path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: ${contentType}\r\ncontent-length: 1000000\r\nauthorization: Bearer ${adminSecret}\r\n\r\n`)
    const timer = setInterval(() => socket.write(' '), everyMs)
    socket.on('close', () => {
      clearInterval(timer)
      resolve({ answer, ms: Date.now() - started })
    })
  })
}

t.test('a client trickling its body is cut off after the request timeout with a 408 problem', async (t) => {
  const { port } = await listening(t, { requestTimeoutMs: 1000 })
  const { answer, ms } = await trickle(port, '/v1/authors', 200)
  t.match(answer, /^HTTP\/1\.1 408 /, 'answered 408')
  t.match(answer, /application\/problem\+json/)
  t.ok(ms >= 900 && ms < 5000, `closed after about the timeout (${ms} ms)`)
})

t.test('an upload to the import route may take longer than the request timeout while it progresses, and is cut off when it stalls', async (t) => {
  const { port } = await listening(t, { requestTimeoutMs: 1000 })
  const { answer, ms } = await trickle(port, '/v1/import', 200, 'application/xml')
  // One byte every 200 ms is no progress for an upload: refused after a window or two.
  t.match(answer, /^HTTP\/1\.1 408 /)
  t.ok(ms >= 900 && ms < 5000, `closed (${ms} ms)`)
})

t.test('connections beyond the cap are refused', async (t) => {
  const { port } = await listening(t, { maxConnections: 2 })
  const open = await Promise.all([0, 1].map(() => new Promise<net.Socket>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket))
  })))
  t.teardown(() => { for (const socket of open) socket.destroy() })
  await new Promise((resolve) => setTimeout(resolve, 100))
  const third = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8').on('data', (text: string) => { answer += text })
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    socket.on('close', () => resolve(answer === '' ? 'closed' : answer))
    socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n')
  })
  t.notMatch(third, /^HTTP\/1\.1 200/, `the third connection is not served (${third.slice(0, 40)})`)
})

t.test('a kept-alive connection carrying many writes (a load balancer\'s) holds no listener per request', async (t) => {
  const { app, port } = await listening(t)
  const sockets: net.Socket[] = []
  app.server.on('connection', (socket: net.Socket) => { sockets.push(socket) })
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => { agent.destroy() })
  const post = async (n: number): Promise<number> => await new Promise((resolve, reject) => {
    const body = JSON.stringify({ name: `Kept Alive ${n}` })
    const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/authors', agent, headers: { authorization: `Bearer ${adminSecret}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode!))
    })
    request.on('error', reject)
    request.end(body)
  })
  const statuses = []
  for (let n = 0; n < 30; n++) statuses.push(await post(n))
  t.same([...new Set(statuses)], [201], 'every write answered')
  t.equal(sockets.length, 1, 'all on one connection')
  t.ok(sockets[0]!.listenerCount('close') < 5, `the connection's close listeners stay few (${sockets[0]!.listenerCount('close')})`)
})
