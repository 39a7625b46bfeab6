import type { FastifyInstance } from 'fastify'
import type pg from 'pg'
import type { PostgresDb } from '../../src/db/postgres.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'

// What the fuzz harness needs of the database behind the app, on either dialect: the content
// of every table, to tell whether a request changed anything, and a way to bring the demo
// blog back after a case that did, so every case meets the same blog.

/** Each table's rows, as text that is equal exactly when the rows are. */
export type Snapshot = Map<string, string>

export interface CaseDatabase {
  /** Every table (tokens without `last_used_at`, which reads may update). */
  snapshot: () => Promise<Snapshot>
  /** The snapshot every case starts from, taken (and kept) on the first call. */
  baseline: () => Promise<Snapshot>
  /** Runs one case, and leaves the database as `baseline()` found it. */
  undoing: <T>(work: () => Promise<T>) => Promise<T>
}

export function changedTables (before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...before.keys(), ...after.keys()])
  return [...names].filter((name) => before.get(name) !== after.get(name))
}

function quoted (name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** Reads may stamp a token's last use; that is not a change a refused request made. */
function compared (table: string, column: string): boolean {
  return !(table === 'tokens' && column === 'last_used_at')
}

export function caseDatabase (app: FastifyInstance): CaseDatabase {
  return app.store.dialect === 'sqlite' ? sqliteCases(app) : postgresCases(app)
}

/** Memoises the first snapshot: snapshots are most of a case's cost, and every case starts from the same one. */
function keptBaseline (snapshot: () => Promise<Snapshot>): () => Promise<Snapshot> {
  let kept: Promise<Snapshot> | undefined
  return async () => await (kept ??= snapshot())
}

// --- SQLite: each case in a transaction of the harness's own, rolled back --------------------

function sqliteCases (app: FastifyInstance): CaseDatabase {
  const client = sqliteHandle(app.store).$client

  const snapshot = async (): Promise<Snapshot> => {
    const tables = client.prepare("select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_stat%' order by name").all() as Array<{ name: string, sql: string | null }>
    const result: Snapshot = new Map()
    for (const { name, sql } of tables) {
      if (sql !== null && /^create virtual/i.test(sql)) continue
      const columns = (client.prepare(`select name from pragma_table_info(${`'${name.replace(/'/g, "''")}'`})`).all() as Array<{ name: string }>)
        .map((column) => column.name)
        .filter((column) => compared(name, column))
        .map(quoted)
      let rows: unknown[]
      try {
        rows = client.prepare(`select ${columns.join(', ')} from ${quoted(name)} order by rowid`).raw().all()
      } catch {
        rows = (client.prepare(`select ${columns.join(', ')} from ${quoted(name)}`).raw().all() as unknown[]).map((row) => JSON.stringify(row)).sort()
      }
      result.set(name, JSON.stringify(rows))
    }
    return result
  }
  const baseline = keptBaseline(snapshot)

  /**
   * The app's units of work, opened inside the harness's transaction, are savepoints in it
   * (src/db/sqlite-store.ts), so what they commit is undone with it; a table the rollback did
   * not restore was written outside any unit.
   */
  const undoing = async <T>(work: () => Promise<T>): Promise<T> => {
    const start = await baseline()
    client.exec('BEGIN')
    let result: T
    try {
      result = await work()
    } finally {
      if (client.inTransaction) client.exec('ROLLBACK')
    }
    const restored = changedTables(start, await snapshot())
    if (restored.length > 0) throw new Error(`harness: the rollback did not restore ${restored.join(', ')}; a request wrote outside the transaction`)
    return result
  }
  return { snapshot, baseline, undoing }
}

// --- PostgreSQL: each case commits for real; a copy of the blog puts it back ------------------

/**
 * The app's units are transactions on pooled connections, so a harness transaction cannot
 * hold them. The blog is copied once into a schema of its own; after a case that changed a
 * table, every table is emptied and filled from the copy in one transaction. Identities keep
 * counting (ids need not be reused), and the write stamp moves, as any write's does, so no
 * cache keeps what the case saw.
 */
const copySchema = 'fuzz_baseline'

/** Not compared or restored: the write stamp moves with every write, by design; the migrations' own record. */
const leftAlone = new Set(['write_stamp', '__drizzle_migrations'])

interface Table { name: string, columns: string[], compared: string[] }

function postgresCases (app: FastifyInstance): CaseDatabase {
  const pool = (app.store.handle as PostgresDb).$client as pg.Pool
  let tables: Promise<Table[]> | undefined

  const tablesOf = async (): Promise<Table[]> => await (tables ??= (async () => {
    const { rows } = await pool.query<{ table: string, column: string }>(`
      select c.table_name as table, c.column_name as column
        from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
       where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
       order by c.table_name, c.ordinal_position`)
    const byName = new Map<string, Table>()
    for (const { table, column } of rows) {
      if (leftAlone.has(table)) continue
      const known = byName.get(table) ?? { name: table, columns: [], compared: [] }
      known.columns.push(column)
      if (compared(table, column)) known.compared.push(column)
      byName.set(table, known)
    }
    return [...byName.values()]
  })())

  /** One round trip: a digest per table of its rows as text, in the text's order (no table needs a key for it). */
  const snapshot = async (): Promise<Snapshot> => {
    const parts = (await tablesOf()).map(({ name, compared }) =>
      `select ${literal(name)} as name, (select md5(coalesce(string_agg(r::text, E'\\n' order by r::text), '')) from (select ${compared.map(quoted).join(', ')} from ${quoted(name)}) r) as rows`)
    const { rows } = await pool.query<{ name: string, rows: string }>(parts.join(' union all '))
    return new Map(rows.map((row) => [row.name, row.rows]))
  }

  const copy = async (): Promise<Snapshot> => {
    await inOneTransaction(pool, async (client) => {
      await client.query(`create schema ${copySchema}`)
      for (const { name } of await tablesOf()) await client.query(`create table ${copySchema}.${quoted(name)} as table ${quoted(name)}`)
    })
    return await snapshot()
  }
  const baseline = keptBaseline(copy)

  /** Every table back as the copy has it. Triggers (foreign keys' checks among them) are off while the rows go in, in any order. */
  const restore = async (): Promise<void> => {
    const all = await tablesOf()
    await inOneTransaction(pool, async (client) => {
      await client.query('set local session_replication_role = replica')
      await client.query(`truncate ${all.map(({ name }) => quoted(name)).join(', ')}`)
      for (const { name, columns } of all) {
        const list = columns.map(quoted).join(', ')
        await client.query(`insert into ${quoted(name)} (${list}) overriding system value select ${list} from ${copySchema}.${quoted(name)}`)
      }
      await client.query('update write_stamp set stamp = stamp + 1 where id = 1')
    })
  }

  /** Restores only after a case that changed something: most cases are refused or read. */
  const putBack = async (start: Snapshot): Promise<void> => {
    if (changedTables(start, await snapshot()).length === 0) return
    await restore()
    const restored = changedTables(start, await snapshot())
    if (restored.length > 0) throw new Error(`harness: restoring the copy did not restore ${restored.join(', ')}`)
  }

  const undoing = async <T>(work: () => Promise<T>): Promise<T> => {
    const start = await baseline()
    try {
      return await work()
    } finally {
      await putBack(start)
    }
  }
  return { snapshot, baseline, undoing }
}

function literal (text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}

async function inOneTransaction (pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('begin')
    await work(client)
    await client.query('commit')
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}
