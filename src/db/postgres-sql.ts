import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'

// Small pieces of PostgreSQL SQL that every query module would otherwise write again.

/**
 * `column = any($1::bigint[])`: the whole list is one parameter, however long. drizzle's
 * `inArray` writes one parameter per id, and a statement takes at most 65 535 of them.
 * (SQLite's modules pass a JSON array to json_each for the same reason: client.ts, inIdList.)
 */
export function isAnyId (column: SQLWrapper, ids: readonly number[]): SQL {
  return sql`${column} = any(${sql.param([...ids])}::bigint[])`
}

/**
 * How many levels of rows hang under row `id` of a table whose rows name their `parent_id`
 * (labels, pages), counted up to `atMost`: bounded by depth, so even rows in a cycle (which
 * the services never write) end. Selects `levels`, null for a row with none under it.
 */
export function levelsBelow (table: PgTable, id: number, atMost: number): SQL {
  return sql`with recursive below(id, level) as (
      select ${id}::bigint, 0
      union all
      select child.id, below.level + 1 from ${table} child join below on child.parent_id = below.id where below.level < ${atMost}::int
    ) select max(level)::int as levels from below`
}

/** `column = any($1::date[])`, for `YYYY-MM-DD` days. */
export function isAnyDay (column: SQLWrapper, days: readonly string[]): SQL {
  return sql`${column} = any(${sql.param([...days])}::date[])`
}

