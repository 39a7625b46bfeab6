import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { openDatabase, runMigrations } from '../src/db/client.js'
import { metaQueries } from '../src/db/meta.js'
import { SqliteStore, UnitAwaitedIo } from '../src/db/sqlite-store.js'
import { UntilNextWrite, type Store } from '../src/db/store.js'

// The unit-of-work contract every dialect's store keeps (src/db/store.ts), on SQLite here.

// Not test/helper.ts's: this file needs the store alone, not the app.
function tempDatabase (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-store-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return join(dir, 'dateline.db')
}

function sqliteStore (t: Test, path = ':memory:'): SqliteStore {
  const db = openDatabase(path)
  runMigrations(db)
  const store = new SqliteStore(db)
  t.teardown(() => store.close())
  return store
}

async function value (store: Store, key: string): Promise<string | undefined> {
  return await metaQueries(store).read(key)
}

t.test('a unit commits everything it wrote, or nothing when it throws', async (t) => {
  const store = sqliteStore(t)
  await store.transaction(async (tx) => {
    await metaQueries(tx).write('a', '1')
    await metaQueries(tx).write('b', '2')
  })
  t.equal(await value(store, 'a'), '1')
  t.equal(await value(store, 'b'), '2')

  await t.rejects(store.transaction(async (tx) => {
    await metaQueries(tx).write('a', 'changed')
    throw new Error('the rule that failed')
  }), /the rule that failed/)
  t.equal(await value(store, 'a'), '1', 'the write before the failure was rolled back')
  t.notOk(store.handle.$client.inTransaction, 'no transaction is left open')
})

t.test('a transaction inside a unit is a savepoint: its failure takes back only its own writes', async (t) => {
  const store = sqliteStore(t)
  await store.transaction(async (tx) => {
    await metaQueries(tx).write('outer', 'kept')
    await t.rejects(tx.transaction(async (inner) => {
      await metaQueries(inner).write('inner', 'dropped')
      throw new Error('inner failure')
    }))
    await tx.transaction(async (inner) => { await metaQueries(inner).write('second', 'kept') })
  })
  t.equal(await value(store, 'outer'), 'kept')
  t.equal(await value(store, 'inner'), undefined)
  t.equal(await value(store, 'second'), 'kept')
})

t.test('units started together queue instead of nesting, and each sees the one before', async (t) => {
  const store = sqliteStore(t)
  await metaQueries(store).write('counter', '0')
  const increment = async (): Promise<void> => {
    await store.transaction(async (tx) => {
      const current = Number(await metaQueries(tx).read('counter'))
      await metaQueries(tx).write('counter', String(current + 1))
    })
  }
  await Promise.all(Array.from({ length: 25 }, increment))
  t.equal(await value(store, 'counter'), '25', 'no increment was lost')
})

t.test('a unit during which the event loop turned is rolled back, and the next one runs', async (t) => {
  const store = sqliteStore(t)
  await t.rejects(store.transaction(async (tx) => {
    await metaQueries(tx).write('leaked', 'yes')
    await sleep(1)
  }), UnitAwaitedIo)
  t.equal(await value(store, 'leaked'), undefined)
  await store.transaction(async (tx) => { await metaQueries(tx).write('after', 'yes') })
  t.equal(await value(store, 'after'), 'yes')
})

t.test('a request never reads what another request\'s unit has not committed', async (t) => {
  const store = sqliteStore(t)
  // Request a writes three times, then fails: every write is rolled back.
  const writer = async (): Promise<void> => {
    await store.transaction(async (tx) => {
      for (let step = 0; step < 3; step++) await metaQueries(tx).write('draft', String(step))
      throw new Error('rolled back')
    }).catch(() => {})
  }
  // Request b reads between its own awaits, outside any unit.
  const seen: Array<string | undefined> = []
  const reader = async (): Promise<void> => {
    for (let step = 0; step < 3; step++) seen.push(await value(store, 'draft'))
  }
  // As requests arrive: each from its own turn of the event loop, in the same phase.
  await Promise.all([writer, reader, writer, reader].map((request) => new Promise((resolve) => { setImmediate(() => { resolve(request()) }) })))
  t.same(seen, Array(6).fill(undefined), 'nothing uncommitted was ever seen')
})

t.test('housekeeping does not wait for another connection holding the write lock', async (t) => {
  const path = tempDatabase(t)
  const store = sqliteStore(t, path)
  const other = openDatabase(path)
  t.teardown(() => other.$client.close())
  other.$client.exec('BEGIN IMMEDIATE')
  const started = process.hrtime.bigint()
  const done = await store.transactionIfFree(async (tx) => { await metaQueries(tx).write('housekeeping', 'ran') })
  const waitedMs = Number(process.hrtime.bigint() - started) / 1e6
  t.equal(done, undefined, 'it answers at once that the database is busy')
  t.ok(waitedMs < 1000, `it did not wait out busy_timeout (${waitedMs.toFixed(1)} ms)`)
  other.$client.exec('ROLLBACK')
  t.equal(await store.transactionIfFree(async (tx) => {
    await metaQueries(tx).write('housekeeping', 'ran')
    return 'done'
  }), 'done', 'and runs once the lock is free')
  t.equal(await value(store, 'housekeeping'), 'ran')
})

t.test('the write stamp moves with every write, this connection\'s or another\'s', async (t) => {
  const path = tempDatabase(t)
  const store = sqliteStore(t, path)
  const before = await store.writeStamp()
  t.equal(await store.writeStamp(), before, 'reads do not move it')
  await metaQueries(store).write('x', '1')
  const afterOwn = await store.writeStamp()
  t.not(afterOwn, before)
  const other = openDatabase(path)
  other.$client.prepare("insert into meta (key, value) values ('y', '2')").run()
  other.$client.close()
  const afterOther = await store.writeStamp()
  t.not(afterOther, afterOwn)

  await store.bookkeepingIfFree(async (tx) => { await metaQueries(tx).write('z', '1') })
  t.equal(await value(store, 'z'), '1', 'bookkeeping commits')
  t.equal(await store.writeStamp(), afterOther, 'but leaves the stamp (a token seen is no content)')
  await metaQueries(store).write('x', '2')
  t.not(await store.writeStamp(), afterOther, 'and the next write moves it again')
})

t.test('a cached value lives until the next write, and nothing is cached inside a unit or without a stamp', async (t) => {
  const store = sqliteStore(t)
  const cache = new UntilNextWrite<number>()
  let computed = 0
  const count = async (): Promise<number> => ++computed
  // As a request does: the stamp read once, then handed to the cache.
  const get = async (on: Store): Promise<number> => await cache.get(on, await on.writeStamp(), 'k', count)
  t.equal(await get(store), 1)
  t.equal(await get(store), 1, 'kept')
  await metaQueries(store).write('x', '1')
  t.equal(await get(store), 2, 'computed again after a write')
  await t.rejects(store.transaction(async (tx) => {
    await metaQueries(tx).write('x', '2')
    t.equal(await get(tx), 3, 'computed inside the unit')
    t.equal(await get(tx), 4, 'and never kept there')
    throw new Error('rolled back')
  }))
  t.equal(await get(store), 5, 'the rolled back unit left nothing cached')
  t.equal(await cache.get(store, null, 'k', count), 6, 'computed without a stamp')
  t.equal(await get(store), 5, 'which is not kept either')
})

t.test('a unit opened inside a transaction someone else began is a savepoint in it', async (t) => {
  const store = sqliteStore(t)
  const client = store.handle.$client
  client.exec('BEGIN')
  await store.transaction(async (tx) => { await metaQueries(tx).write('inside', 'committed by the unit') })
  await t.rejects(store.transaction(async (tx) => {
    await metaQueries(tx).write('failed', 'yes')
    throw new Error('rolled back to its savepoint')
  }))
  t.ok(client.inTransaction, 'the outer transaction is still open')
  t.equal(await value(store, 'inside'), 'committed by the unit')
  t.equal(await value(store, 'failed'), undefined)
  client.exec('ROLLBACK')
  t.equal(await value(store, 'inside'), undefined, 'the outer rollback undid the unit too')
})
