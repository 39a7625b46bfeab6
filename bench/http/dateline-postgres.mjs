#!/usr/bin/env node
// Dateline on PostgreSQL, as `node dist/cli.js serve` runs it but for one step: the compiled
// server (dist/server.js startServer, the function `serve` calls) with the configuration read
// from the environment as `serve` reads it, and the database URL put in afterwards. `serve`
// itself refuses a postgres:// DATABASE_URL (src/config.ts: "only an SQLite file path or
// :memory: is supported in this version") although the app behind it opens one (openStore).
//
//   PORT=… DATELINE_BENCH_POSTGRES_URL=postgres://…/database node bench/http/dateline-postgres.mjs

import { readConfig } from '../../dist/config.js'
import { startServer } from '../../dist/server.js'

const url = process.env.DATELINE_BENCH_POSTGRES_URL
if (url === undefined || !/^postgres(ql)?:\/\//.test(url)) {
  console.error('DATELINE_BENCH_POSTGRES_URL must be a postgres:// URL')
  process.exit(2)
}
const config = readConfig({ ...process.env, DATABASE_URL: ':memory:' })
await startServer({ ...config, databaseUrl: url })
