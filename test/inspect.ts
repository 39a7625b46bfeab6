import type { PostgresDb } from '../src/db/postgres.js'
import { sqliteHandle } from '../src/db/sqlite-store.js'
import type { Store } from '../src/db/store.js'

// What a test reads of the database behind the API, whichever it is: to check what was stored
// (a token's hash, never its secret) or that a refused request changed nothing. Raw rows, with
// the column names of the tables; `table` is a name of ours, never input. And the one write a
// test makes past the API: ageing a row, as time would (an idempotency key a day old).

async function query (store: Store, text: string): Promise<Array<Record<string, unknown>>> {
  if (store.dialect === 'sqlite') return sqliteHandle(store).$client.prepare(text).all() as Array<Record<string, unknown>>
  return (await (store.handle as PostgresDb).$client.query<Record<string, unknown>>(text)).rows
}

function quoted (name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** The database's tables, by name. */
export async function tableNames (store: Store): Promise<string[]> {
  const rows = store.dialect === 'sqlite'
    ? await query(store, "select name from sqlite_master where type = 'table' order by name")
    : await query(store, "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name")
  return rows.map((row) => String(row.name))
}

/** Every row of `table`. */
export async function rowsOf (store: Store, table: string): Promise<Array<Record<string, unknown>>> {
  return await query(store, `select * from ${quoted(table)}`)
}

type Value = string | number | null

/** Sets `values` on the rows of `table` that match `where` (every row when it is empty); the number changed. */
export async function updateRows (store: Store, table: string, values: Record<string, Value>, where: Record<string, Value> = {}): Promise<number> {
  const parameters = [...Object.values(values), ...Object.values(where)]
  // SQLite numbers its parameters `?`, PostgreSQL `$1`, `$2`…
  const placeholder = (index: number): string => (store.dialect === 'sqlite' ? '?' : `$${index + 1}`)
  const assignments = Object.keys(values).map((column, index) => `${quoted(column)} = ${placeholder(index)}`)
  const offset = assignments.length
  const conditions = Object.keys(where).map((column, index) => `${quoted(column)} = ${placeholder(offset + index)}`)
  const text = `update ${quoted(table)} set ${assignments.join(', ')}${conditions.length === 0 ? '' : ` where ${conditions.join(' and ')}`}`
  if (store.dialect === 'sqlite') return sqliteHandle(store).$client.prepare(text).run(...parameters).changes
  // As every unit that writes does, it moves the write stamp, or caches keyed on it would keep what was there before.
  const { rows } = await (store.handle as PostgresDb).$client.query<{ changed: string }>(
    `with changed as (${text} returning 1), stamp as (update write_stamp set stamp = stamp + 1 where id = 1) select count(*) as changed from changed`, parameters)
  return Number(rows[0]!.changed)
}
