// Issue 15: how the HTTP server treats connections, over real sockets: an early refusal the
// client can read (item 7), timeouts for slow clients, a cap on connections.
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
