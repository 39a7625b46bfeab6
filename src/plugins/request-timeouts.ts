import type { IncomingHttpHeaders } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import { problemBase } from '../lib/problem-documents.js'

export interface RequestTimeoutOptions {
  /** How long a request body may take to arrive (an upload: how long it may go without progress). */
  requestTimeoutMs: number
  /** The body limit of ordinary routes: a route that accepts more takes uploads. */
  bodyLimit: number
}

// An upload must bring at least this much per `requestTimeoutMs` (with the default 30 s, about
// 35 KB/s: a slow mobile link uploads faster; a client sending a byte every few seconds does not).
const uploadBytesPerWindow = 1024 * 1024

/** Answers 408 on the socket itself (the request is still being read: no reply is under way) and closes it. */
function refuse (socket: Socket, path: string): void {
  const body = JSON.stringify({ type: `${problemBase}request-timeout`, title: 'Request timeout', status: 408, detail: 'The request body did not arrive in time', instance: path })
  socket.end(`HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-type: application/problem+json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  socket.destroySoon()
}

function hasBody (headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/**
 * A request's body must arrive within `requestTimeoutMs`: a client trickling a byte every few
 * seconds held a connection (and its request) for as long as it liked. Node's own
 * `requestTimeout` would be one deadline for every route, and would cut off an honest
 * 512 MiB import on an ordinary link; so routes that take uploads (a body limit above the
 * ordinary one) are judged by progress instead: at least `uploadBytesPerWindow` per window.
 */
export default fp<RequestTimeoutOptions>(async function requestTimeoutsPlugin (app, options) {
  app.addHook('onRequest', (request, reply, done) => {
    const incoming = request.raw
    // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3):
    // nothing to wait for, and no timer and listeners to set up on every read.
    if (incoming.complete || !hasBody(request.headers)) return done()
    const socket = incoming.socket
    const path = request.url.split('?')[0] ?? '/'
    const upload = (request.routeOptions.bodyLimit ?? options.bodyLimit) > options.bodyLimit
    let received = socket.bytesRead
    const check = () => {
      if (incoming.complete || reply.sent || reply.raw.headersSent) return stop()
      if (upload && socket.bytesRead - received >= uploadBytesPerWindow) {
        received = socket.bytesRead
        return
      }
      stop()
      request.log.info('request body too slow; closing the connection')
      refuse(socket, path)
    }
    const timer = setInterval(check, options.requestTimeoutMs)
    timer.unref()
    // A kept-alive connection (a load balancer's) carries many requests: each takes its
    // listener off the socket when done, or they pile up and keep every request alive.
    const stop = () => {
      clearInterval(timer)
      socket.removeListener('close', stop)
    }
    incoming.once('end', stop)
    reply.raw.once('finish', stop)
    socket.once('close', stop)
    done()
  })
}, { name: 'dateline-request-timeouts' })
