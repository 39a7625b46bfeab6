import type { Statement } from 'better-sqlite3'
import { and, eq, sql } from 'drizzle-orm'
import { preparedOnce, type Db } from '../../db/client.js'
import { importedRows } from '../../db/schema.js'
import type { ImportQueries, Stage, StagedRecord } from './queries.js'

const importedRowOf = preparedOnce((db) => db.select({ targetId: importedRows.targetId, digest: importedRows.digest }).from(importedRows)
  .where(and(
    eq(importedRows.resource, sql.placeholder('resource')),
    eq(importedRows.format, sql.placeholder('format')),
    eq(importedRows.site, sql.placeholder('site')),
    eq(importedRows.sourceId, sql.placeholder('sourceId'))
  ))
  .prepare())

const remember = preparedOnce((db) => db.insert(importedRows)
  .values({
    resource: sql.placeholder('resource'),
    format: sql.placeholder('format'),
    site: sql.placeholder('site'),
    sourceId: sql.placeholder('sourceId'),
    targetId: sql.placeholder('targetId'),
    digest: sql.placeholder('digest'),
    importedAt: sql.placeholder('importedAt')
  })
  .onConflictDoUpdate({
    target: [importedRows.resource, importedRows.format, importedRows.site, importedRows.sourceId],
    set: { targetId: sql`excluded.target_id`, digest: sql`excluded.digest`, importedAt: sql`excluded.imported_at` }
  })
  .prepare())

// The stage is a temporary table: private to this connection, and it needs no lock on the
// database. better-sqlite3 has one connection, so the import's transaction reads it too.

let stages = 0

class TempTableStage implements Stage {
  readonly #table = `import_stage_${++stages}`
  readonly #insert: Statement<[string, string | null, string, string | null]>
  readonly #page: Statement<[string, number, number], StagedRecord>
  readonly #key: Statement<[string, string]>

  // Statements of better-sqlite3 itself, prepared once: a stage takes a row per record of the
  // file, and building each statement anew cost more than running it (bench/import.mjs).
  constructor (private readonly db: Db) {
    const client = db.$client
    client.exec(`create temp table ${this.#table} (seq integer primary key, kind text not null, key text, payload text not null, sanitised text)`)
    client.exec(`create unique index temp.${this.#table}_key on ${this.#table} (kind, key)`)
    this.#insert = client.prepare(`insert or ignore into ${this.#table} (kind, key, payload, sanitised) values (?, ?, ?, ?)`)
    this.#page = client.prepare(`select seq, kind, payload, sanitised from ${this.#table} where kind = ? and seq > ? order by seq limit ?`)
    this.#key = client.prepare(`select 1 from ${this.#table} where kind = ? and key = ?`)
  }

  async add (kind: string, key: string | null, payload: string, sanitised: string | null = null): Promise<boolean> {
    return this.#insert.run(kind, key, payload, sanitised).changes === 1
  }

  // 200 a page: a staged record holds its payload and its sanitised body (an article ~12 KB,
  // when one waits for its author); pages of 1,000 of them cost the writer thread 70 MB.
  async * each (kind: string, pageSize = 200): AsyncGenerator<StagedRecord> {
    let after = 0
    for (;;) {
      const rows = this.#page.all(kind, after, pageSize)
      yield * rows
      if (rows.length < pageSize) return
      after = rows.at(-1)!.seq
    }
  }

  async hasKey (kind: string, key: string): Promise<boolean> {
    return this.#key.get(kind, key) !== undefined
  }

  async drop (): Promise<void> {
    this.db.$client.exec(`drop table if exists ${this.#table}`)
  }
}

export function sqliteImportQueries (db: Db): ImportQueries {
  return {
    async importedRow (key) {
      return importedRowOf(db).get({ ...key })
    },

    async rememberImportedRow (key, targetId, digest, at) {
      remember(db).run({ ...key, targetId, digest, importedAt: at })
    },

    async createStage () {
      return new TempTableStage(db)
    }
  }
}
