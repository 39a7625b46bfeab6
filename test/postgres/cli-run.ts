import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { Test } from 'tap'
import { cli, type CliRun } from '../cli-run.js'
import { adminSecret, bearer, build, request } from '../helper.js'
import { freshPostgresDatabase } from '../postgres.js'

// The CLI run in-process as `dateline` runs it (runCli), on fresh PostgreSQL databases, for
// test/postgres/cli.test.ts and backup.test.ts. The URLs carry a password: the test server
// trusts local connections and never asks for it, so every line printed can be checked for it.

export type Item = Record<string, any>

export const password = 'pg-Secret-4711'

/** `cli`, checked to exit `code` and to print the password nowhere. */
export async function ran (t: Test, argv: string[], env: NodeJS.ProcessEnv, code = 0): Promise<CliRun> {
  const run = await cli(argv, env)
  t.equal(run.code, code, `dateline ${argv.join(' ')} exits ${code}`, { stdout: run.stdout, stderr: run.stderr })
  t.notOk(`${run.stdout}${run.stderr}`.includes(password), 'the password is printed nowhere')
  return run
}

export const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '')

export const fixturePath = (name: string): string => new URL(`../../../shared/fixtures/${name}`, import.meta.url).pathname
export const ghostPath = fixturePath('blogger-legacy-ghost-sample.xml')
export const jjPath = fixturePath('blogger-legacy-jjsfavoritethings-2008.xml')

/** A fresh PostgreSQL database, its URL with a password, and the CLI's environment for it. */
export async function setup (t: Test, options: { unmigrated?: boolean } = {}): Promise<{ url: string, name: string, env: NodeJS.ProcessEnv }> {
  const database = await freshPostgresDatabase(t, options)
  const url = new URL(database.url)
  url.password = password
  // A media folder of its own: on PostgreSQL the default is data/media in the working directory, the checkout's.
  return { url: url.toString(), name: database.name, env: { DATABASE_URL: url.toString(), DATELINE_DEMO: 'false', DATELINE_MEDIA_DIR: tempDir(t) } }
}

export function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-pg-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Runs `work` on one plain connection to the database at `url`. */
export async function withClient<T> (url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** The export as text lines, the header's exportedAt blanked (the one thing allowed to differ). */
export function comparable (text: string): string[] {
  const [first, ...rest] = lines(text)
  return [JSON.stringify({ ...JSON.parse(first ?? '{}'), exportedAt: '(export time)' }), ...rest]
}

/** `comparable`, and the authors' and images' times blanked: an import stamps those it makes with the time it ran. */
export function withoutImportTimes (text: string): string[] {
  return comparable(text).map((line) => {
    const row = JSON.parse(line) as Item
    return row.type === 'author' || row.type === 'media' ? JSON.stringify({ ...row, createdAt: '(import time)', updatedAt: '(import time)' }) : line
  })
}

export async function articleSlugs (t: Test, url: string): Promise<string[]> {
  const app = await build(t, { databaseUrl: url })
  const list = await request(app, t, { method: 'GET', url: '/v1/articles?limit=100', headers: bearer(adminSecret) })
  await app.close()
  return list.json().data.map((article: Item) => article.slug).sort()
}
