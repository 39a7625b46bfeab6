import type { IncomingMessage } from 'node:http'
import fp from 'fastify-plugin'

export interface LingeringCloseOptions {
  /** Bytes of an unread body still read and dropped after an early refusal. */
  maxBytes: number
  /** How long they are waited for. */
  maxMs: number
}

/**
 * Reads and drops the rest of the body, then closes the connection: when the body is complete,
 * after `maxBytes` or after `maxMs`, whichever comes first. (Node's parser reads the socket
 * itself, so the body's bytes are counted on the request, not on the socket.)
 */
function linger (incoming: IncomingMessage, options: LingeringCloseOptions): void {
  const socket = incoming.socket
  let dropped = 0
  const close = () => {
    clearTimeout(timer)
    socket.destroy()
  }
  const timer = setTimeout(close, options.maxMs)
  timer.unref()
  incoming.on('data', (chunk: Buffer) => {
    dropped += chunk.length
    if (dropped > options.maxBytes) close()
  })
  incoming.once('end', close)
  socket.once('close', () => clearTimeout(timer))
  incoming.resume()
}

/**
 * A request refused before its body was read (413, 415, a 400 from the body parser) is answered
 * while the client is still sending, with `Connection: close` (Fastify's, or the client's own).
 * Node then destroys the socket as soon as the answer is written, with the client's bytes unread:
 * the kernel answers them with a reset, and a client that sends its whole body before reading
 * sees EPIPE or ECONNRESET instead of the refusal. Here the socket only half-closes after the
 * answer (Node's `destroySoon` ends it, then destroys it on 'finish': that destroy is taken
 * back) and lingers, as RFC 9112 §9.6 advises.
 */
export default fp<LingeringCloseOptions>(async function lingeringClosePlugin (app, options) {
  app.addHook('onSend', (request, reply, payload, done) => {
    const incoming = request.raw
    // Not a 503 while draining: those connections must close promptly for the process to exit.
    if (!incoming.complete && reply.statusCode >= 400 && reply.statusCode < 500) {
      const socket = incoming.socket
      reply.raw.once('finish', () => {
        // Still writable: a kept-alive connection, where Node itself reads the rest of the body.
        if (socket.destroyed || socket.writable) return
        socket.removeListener('finish', socket.destroy)
        linger(incoming, options)
      })
    }
    done(null, payload)
  })
}, { name: 'dateline-lingering-close' })
