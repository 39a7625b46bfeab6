import { and, eq, sql } from 'drizzle-orm'
import { preparedOnce, type DbOrTx } from '../../db/client.js'
import { importedRows, type ImportedResource } from '../../db/schema.js'

export interface SourceKey {
  resource: ImportedResource
  format: string
  site: string
  sourceId: string
}

const importedRowOf = preparedOnce((db) => db.select({ targetId: importedRows.targetId, digest: importedRows.digest }).from(importedRows)
  .where(and(
    eq(importedRows.resource, sql.placeholder('resource')),
    eq(importedRows.format, sql.placeholder('format')),
    eq(importedRows.site, sql.placeholder('site')),
    eq(importedRows.sourceId, sql.placeholder('sourceId'))
  ))
  .prepare())

export function importedRow (db: DbOrTx, key: SourceKey): { targetId: number, digest: string } | undefined {
  return importedRowOf(db).get({ ...key })
}

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

export function rememberImportedRow (db: DbOrTx, key: SourceKey, targetId: number, digest: string, at: string): void {
  remember(db).run({ ...key, targetId, digest, importedAt: at })
}

// Staging: records are written to a temporary table while the file streams in, so memory
// stays flat however large the file, and applied from there in one transaction. A
// temporary table is private to this connection and needs no lock on the database.

export interface StagedRecord {
  seq: number
  kind: string
  payload: string
}

let stages = 0

export class Stage {
  readonly #table = sql.raw(`import_stage_${++stages}`)

  constructor (private readonly db: DbOrTx) {
    db.run(sql`create temp table ${this.#table} (seq integer primary key, kind text not null, key text, payload text not null)`)
    db.run(sql`create unique index ${sql.raw(`temp.import_stage_${stages}_key`)} on ${this.#table} (kind, key)`)
  }

  /** Stages a record; false when one of the same kind and key is already staged. */
  add (kind: string, key: string | null, payload: string): boolean {
    return this.db.run(sql`insert or ignore into ${this.#table} (kind, key, payload) values (${kind}, ${key}, ${payload})`).changes === 1
  }

  /** The staged records of one kind in file order, a page at a time. */
  * each (kind: string, pageSize = 1000): Generator<StagedRecord> {
    let after = 0
    for (;;) {
      const rows = this.db.all<StagedRecord>(sql`select seq, kind, payload from ${this.#table}
        where kind = ${kind} and seq > ${after} order by seq limit ${pageSize}`)
      yield * rows
      if (rows.length < pageSize) return
      after = rows.at(-1)!.seq
    }
  }

  hasKey (kind: string, key: string): boolean {
    return this.db.get(sql`select 1 from ${this.#table} where kind = ${kind} and key = ${key}`) !== undefined
  }

  drop (): void {
    this.db.run(sql`drop table if exists ${this.#table}`)
  }
}
