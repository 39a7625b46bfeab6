// The ceiling for serving a variant: bare Fastify and @fastify/static on the same media folder,
// with the app's caching options (immutable, a year, ETag, no Last-Modified, Range) and none of
// its hooks. Usage: node bench/media/static-ceiling.mjs MEDIA_DIR (PORT and HOST from the environment).

import Fastify from 'fastify'
import fastifyStatic from '@fastify/static'

const app = Fastify({ logger: false })
await app.register(fastifyStatic, {
  root: process.argv[2],
  prefix: '/media/',
  index: false,
  list: false,
  dotfiles: 'deny',
  immutable: true,
  maxAge: '365d',
  etag: true,
  lastModified: false,
  acceptRanges: true
})
app.get('/readyz', async () => ({ ok: true }))
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' })
