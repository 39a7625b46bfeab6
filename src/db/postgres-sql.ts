import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'

// Small pieces of PostgreSQL SQL that every query module would otherwise write again.

/**
 * `column = any($1::bigint[])`: the whole list is one parameter, however long. drizzle's
 * `inArray` writes one parameter per id, and a statement takes at most 65 535 of them.
 * (SQLite's modules pass a JSON array to json_each for the same reason: client.ts, inIdList.)
 */
export function isAnyId (column: SQLWrapper, ids: readonly number[]): SQL {
  return sql`${column} = any(${sql.param([...ids])}::bigint[])`
}

/** `column = any($1::date[])`, for `YYYY-MM-DD` days. */
export function isAnyDay (column: SQLWrapper, days: readonly string[]): SQL {
  return sql`${column} = any(${sql.param([...days])}::date[])`
}

