// The ceilings for serving a variant: bare Fastify and @fastify/static on the same media folder,
// with the app's caching options (immutable, a year, ETag, no Last-Modified, Range) and none of
// its hooks. Two ways:
//   wildcard  @fastify/static's own `/media/*` route (its default), which lists each folder on
//             the path on every request to check the name's spelling;
//   sendfile  a route of its own, `/media/:key/:file`, answering with reply.sendFile (no listing),
//             which is how Dateline serves them.
// Usage: node bench/media/static-ceiling.mjs MEDIA_DIR wildcard|sendfile (PORT and HOST from the environment).

import { join } from 'node:path'
import Fastify from 'fastify'
import fastifyStatic from '@fastify/static'

const [root, mode] = process.argv.slice(2)
if (mode !== 'wildcard' && mode !== 'sendfile') throw new Error(`mode must be wildcard or sendfile, not ${mode}`)

const app = Fastify({ logger: false })
await app.register(fastifyStatic, {
  root,
  prefix: '/media/',
  serve: mode === 'wildcard',
  index: false,
  list: false,
  dotfiles: 'deny',
  immutable: true,
  maxAge: '365d',
  etag: true,
  lastModified: false,
  acceptRanges: true
})
if (mode === 'sendfile') app.get('/media/:key/:file', (request, reply) => reply.sendFile(request.params.file, join(root, request.params.key)))
app.get('/readyz', async () => ({ ok: true }))
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' })
