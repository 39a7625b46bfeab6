import { and, eq, getTableName, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import type { ImportedResource } from '../../db/schema.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { articles, authors, comments, importedRows, media, pages } from '../../db/schema.postgres.js'
import type { ImportQueries, Stage, StagedRecord } from './queries.js'

const tablesOf: Record<ImportedResource, typeof authors | typeof articles | typeof comments | typeof media | typeof pages> = { author: authors, article: articles, comment: comments, media, page: pages }

/**
 * Keeps each table's identity past ids an import gave rows itself (rows keep their source ids
 * where free). An identity knows only the ids it gave: without this, a later row of the same
 * import (the "Imported" author, a comment whose own id was taken) would be given such an id
 * again and fail as a duplicate. SQLite's AUTOINCREMENT follows by itself. Sequences are not
 * transactional: a rolled-back import (a dry run) leaves the identity moved on, a gap in the
 * ids and nothing else. Identities only move forward, so an id at or below one already seen
 * needs no query: most rows cost none.
 */
function identityFollower (db: PostgresHandle): (resource: ImportedResource, id: number) => Promise<void> {
  const passed = new Map<ImportedResource, number>()
  return async (resource, id) => {
    if (id <= (passed.get(resource) ?? 0)) return
    const { rows } = await db.execute<{ last: string }>(sql`select case when ${id} > identity.last then setval(identity.name, ${id}) else identity.last end as last
      from (select name, coalesce(pg_sequence_last_value(name), 0) as last
        from (select pg_get_serial_sequence(${getTableName(tablesOf[resource])}, 'id')::regclass as name) sequence) identity`)
    passed.set(resource, Number(rows[0]!.last))
  }
}

let stages = 0

/**
 * A stage key as bytes: the importer joins a source's site and id with a NUL character, which
 * PostgreSQL's text cannot hold (SQLite's can).
 */
function keyBytes (key: string | null): Buffer | null {
  return key === null ? null : Buffer.from(key, 'utf8')
}

/**
 * The stage is a temporary table, as on SQLite: private to its connection, gone with it if
 * the process dies, and never written to the write-ahead log. The importer fills it before
 * its unit of work begins and reads it during the unit, on whichever pooled connection that
 * unit runs; so the stage has a connection of its own, opened beside the pool rather than
 * taken from it: an import holding one pooled connection while its unit waits for another
 * could wait forever on a small pool. The stage is only ever read on its own (never joined
 * with the unit's rows), so it need not share the unit's connection. An ordinary table keyed
 * by import would need a migration and a sweep for stages a dead process left behind.
 */
class TempTableStage implements Stage {
  readonly #table = sql.raw(`import_stage_${++stages}`)
  #staged = 0

  private constructor (private readonly db: PostgresHandle, private readonly release: () => Promise<void>) {}

  /** A stage on a connection of its own, opened as the pool opens its connections. */
  static async beside (pool: pg.Pool): Promise<TempTableStage> {
    const client = new pg.Client(pool.options)
    // Without a listener, a dropped connection would end the process; the next query fails instead.
    client.on('error', () => {})
    await client.connect()
    // Ending the session drops its temporary tables.
    const stage = new TempTableStage(drizzle(client), async () => { await client.end() })
    return await stage.#created()
  }

  /** A stage on a unit of work's own connection (when one asks for it), dropped at the end. */
  static async within (db: PostgresHandle): Promise<TempTableStage> {
    const stage: TempTableStage = new TempTableStage(db, async () => { await db.execute(sql`drop table if exists ${stage.#table}`) })
    return await stage.#created()
  }

  async #created (): Promise<TempTableStage> {
    try {
      await this.db.execute(sql`create temp table ${this.#table} (
        seq bigint primary key, kind text not null, key bytea, payload text not null, sanitised text, unique (kind, key))`)
      return this
    } catch (error) {
      await this.release().catch(() => {})
      throw error
    }
  }

  // Numbered here, not by an identity, which would use up a number on a refused duplicate:
  // the records are numbered 1, 2, 3… as SQLite's rowid numbers them.
  async add (kind: string, key: string | null, payload: string, sanitised: string | null = null): Promise<boolean> {
    const { rowCount } = await this.db.execute(sql`insert into ${this.#table} (seq, kind, key, payload, sanitised)
      values (${this.#staged + 1}, ${kind}, ${keyBytes(key)}, ${payload}, ${sanitised}) on conflict (kind, key) do nothing`)
    if (rowCount !== 1) return false
    this.#staged++
    return true
  }

  async * each (kind: string, pageSize = 1000): AsyncGenerator<StagedRecord> {
    let after = 0
    for (;;) {
      const { rows } = await this.db.execute<{ seq: string, kind: string, payload: string, sanitised: string | null }>(sql`select seq, kind, payload, sanitised from ${this.#table}
        where kind = ${kind} and seq > ${after} order by seq limit ${pageSize}`)
      // bigint arrives as text from raw SQL; a stage's sequence stays far below 2^53.
      yield * rows.map((row) => ({ ...row, seq: Number(row.seq) }))
      if (rows.length < pageSize) return
      after = Number(rows.at(-1)!.seq)
    }
  }

  async hasKey (kind: string, key: string): Promise<boolean> {
    const { rows } = await this.db.execute(sql`select 1 from ${this.#table} where kind = ${kind} and key = ${keyBytes(key)}`)
    return rows.length > 0
  }

  async drop (): Promise<void> {
    await this.release()
  }
}

export function postgresImportQueries (db: PostgresHandle): ImportQueries {
  const followIdentity = identityFollower(db)
  return {
    async importedRow (key) {
      const [row] = await db.select({ targetId: importedRows.targetId, digest: importedRows.digest }).from(importedRows)
        .where(and(
          eq(importedRows.resource, key.resource),
          eq(importedRows.format, key.format),
          eq(importedRows.site, key.site),
          eq(importedRows.sourceId, key.sourceId)
        ))
      return row
    },

    async rememberImportedRow (key, targetId, digest, at) {
      await followIdentity(key.resource, targetId)
      await db.insert(importedRows)
        .values({ ...key, targetId, digest, importedAt: at })
        .onConflictDoUpdate({
          target: [importedRows.resource, importedRows.format, importedRows.site, importedRows.sourceId],
          set: { targetId: sql`excluded.target_id`, digest: sql`excluded.digest`, importedAt: sql`excluded.imported_at` }
        })
    },

    async createStage () {
      const client = (db as { $client?: unknown }).$client
      return client instanceof pg.Pool ? await TempTableStage.beside(client) : await TempTableStage.within(db)
    }
  }
}
