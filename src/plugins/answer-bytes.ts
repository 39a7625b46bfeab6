import fp from 'fastify-plugin'

/**
 * Answers of at least this many characters go out as bytes encoded once. Below it a string
 * costs no more (a 4 KB article measured the same either way).
 */
export const encodeOnceFrom = 16 * 1024

/**
 * Sends a large read's JSON as a Buffer rather than a string (issue 19). Given a string,
 * Fastify measures its UTF-8 length for Content-Length and Node then encodes it again as it
 * writes: two passes over the answer, each slow on a string V8 holds as two-byte — any
 * character above U+00FF makes the whole answer one, and every derived excerpt ends in "…".
 * Encoding it once here took a third off writing a 20-article page (80 KB), for answers
 * with such characters or without. Reads only: an answer kept for an Idempotency-Key (a
 * write's) is kept as the string it is.
 */
export default fp(async function answerBytesPlugin (app) {
  app.addHook('onSend', (request, _reply, payload, done) => {
    if (request.method === 'GET' && typeof payload === 'string' && payload.length >= encodeOnceFrom) return done(null, Buffer.from(payload))
    done(null, payload)
  })
}, { name: 'dateline-answer-bytes', dependencies: ['dateline-http-cache'] })
