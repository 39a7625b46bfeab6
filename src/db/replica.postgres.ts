import type pg from 'pg'
import { checkPostgres, refusePostgres } from './postgres.js'

// What a streaming replica and its primary are asked, to tell whether the replica holds every
// write the primary had committed at a given moment. Positions in the WAL are pg_lsn values,
// `X/Y` in hex (the high and low 32 bits), compared as BigInts.

/** A pg_lsn's text (`16/B374D848`) as a number that compares as positions do. */
export function parseLsn (text: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text)
  if (match === null) throw new Error(`not a WAL position: ${JSON.stringify(text)}`)
  return (BigInt(`0x${match[1]!}`) << 32n) | BigInt(`0x${match[2]!}`)
}

/**
 * How far the primary has written its WAL. Every transaction committed (and acknowledged)
 * before this is asked ends at or before it: with `synchronous_commit` on, a commit is
 * acknowledged once its WAL is flushed, which is after it was written. Not the insert
 * position: on an idle server that one points past a page header the replica never replays.
 */
export async function primaryWalPosition (primary: pg.Pool): Promise<bigint> {
  const { rows } = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')
  return parseLsn(rows[0]!.lsn)
}

/** How far the replica has replayed its primary's WAL; null when it is not a standby (promoted, say). */
export async function replayedWalPosition (replica: pg.Pool): Promise<bigint | null> {
  const { rows } = await replica.query<{ lsn: string | null }>('select pg_last_wal_replay_lsn()::text as lsn')
  const lsn = rows[0]!.lsn
  return lsn === null ? null : parseLsn(lsn)
}

async function systemIdentifier (pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string }>('select system_identifier::text as id from pg_control_system()')
  return rows[0]!.id
}

/**
 * Refuses (DatabaseUnusable) what would let a replica serve a read older than an acknowledged
 * write: the primary acknowledging commits before their WAL is written (`synchronous_commit =
 * off`). Checked once at start-up, on a connection of the primary's pool, which has the
 * settings of Dateline's user and database.
 */
export async function assertPrimaryFitsReplicas (primary: pg.Pool): Promise<void> {
  const { rows } = await primary.query<{ level: string }>("select current_setting('synchronous_commit') as level")
  if (rows[0]!.level === 'off') {
    throw refusePostgres(primary, 'synchronous_commit is off there, so a write can be acknowledged before a replica can have it; DATABASE_REPLICA_URL needs it on (the default)')
  }
}

/**
 * Whether the replica's server can serve Dateline's reads: usable as a database (version,
 * schema not newer), a standby, and a copy of the primary's server (the same system
 * identifier: a base backup keeps it; another server, even with the same data, has its own
 * WAL positions). A wrong server is a DatabaseUnusable; an unreachable one is the driver's error.
 */
export async function checkReplica (replica: pg.Pool, primary: pg.Pool): Promise<bigint> {
  await checkPostgres(replica)
  const replayed = await replayedWalPosition(replica)
  if (replayed === null) throw refusePostgres(replica, 'it is not a standby (pg_last_wal_replay_lsn() is null): name a streaming replica of DATABASE_URL\'s server')
  const [own, primarysOwn] = await Promise.all([systemIdentifier(replica), systemIdentifier(primary)])
  if (own !== primarysOwn) throw refusePostgres(replica, 'it is a standby of another server than DATABASE_URL\'s (its system identifier differs)')
  return replayed
}
