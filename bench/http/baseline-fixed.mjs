#!/usr/bin/env node
// Baseline 1, the HTTP ceiling: a bare Fastify route answering one fixed article (as Dateline
// answers GET /v1/articles/{id}) through a response schema. No database, no plugins.
//
//   PORT=… node bench/http/baseline-fixed.mjs ARTICLE.json

import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import { articleSchema } from './schemas.mjs'

const article = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const app = Fastify({ logger: false })
app.get('/readyz', async () => ({ status: 'ok' }))
app.get('/article', { schema: { response: { 200: articleSchema } } }, async () => article)
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => app.close().then(() => process.exit(0)))
