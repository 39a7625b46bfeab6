import { sql } from 'drizzle-orm'
import t from 'tap'
import { metaQueries } from '../../src/db/meta.js'
import { openPostgres } from '../../src/db/postgres.js'
import { DatabaseContended, PostgresStore, type PostgresHandle } from '../../src/db/postgres-store.js'
import { isDatabaseBusy } from '../../src/plugins/problem.js'
import { freshPostgresDatabase } from '../postgres.js'

// The write stamp on PostgreSQL (src/db/postgres-store.ts), as two instances of the app see it:
// two pools on one database.

t.test('the write stamp moves with every unit that wrote, on whichever instance, and only then', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const one = new PostgresStore((await openPostgres(url)).db)
  const other = new PostgresStore((await openPostgres(url)).db)
  t.teardown(async () => { await one.close(); await other.close() })

  const start = await other.writeStamp()
  await one.transaction(async (tx) => await metaQueries(tx).read('timezone'))
  t.equal(await other.writeStamp(), start, 'a unit that only read leaves it')

  await one.transaction(async (tx) => { await metaQueries(tx).write('x', '1') })
  const afterWrite = await other.writeStamp()
  t.not(afterWrite, start, 'a write on one instance moves it for the other')

  await t.rejects(one.transaction(async (tx) => {
    await metaQueries(tx).write('x', '2')
    throw new Error('rolled back')
  }))
  t.equal(await other.writeStamp(), afterWrite, 'a unit rolled back leaves it')
  t.equal(await metaQueries(other).read('x'), '1')

  await one.transactionIfFree(async (tx) => { await metaQueries(tx).write('y', '1') })
  const afterHousekeeping = await other.writeStamp()
  t.not(afterHousekeeping, afterWrite, 'housekeeping that wrote moves it too')

  await one.bookkeepingIfFree(async (tx) => { await metaQueries(tx).write('z', '1') })
  t.equal(await metaQueries(other).read('z'), '1', 'bookkeeping commits')
  t.equal(await other.writeStamp(), afterHousekeeping, 'but leaves the stamp (a token seen is no content)')
})

t.test('a unit that loses every retry is refused as a busy database (503), not a 500', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const store = new PostgresStore((await openPostgres(url)).db)
  t.teardown(async () => { await store.close() })
  const start = await store.writeStamp()
  let tries = 0
  const failure = await store.transaction(async (tx) => {
    tries++
    await metaQueries(tx).write('lost', String(tries))
    throw Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' })
  }).catch((error: unknown) => error)
  t.equal(tries, 5, 'tried five times')
  t.type(failure, DatabaseContended)
  t.equal((failure as { cause: { code: string } }).cause.code, '40001', 'the last failure is its cause')
  t.ok(isDatabaseBusy(failure), 'answered as a busy database: 503 with Retry-After')
  t.equal(await metaQueries(store).read('lost'), undefined, 'no attempt left a row')
  t.equal(await store.writeStamp(), start, 'nor moved the stamp')

  let other = 0
  await t.rejects(store.transaction(async () => { other++; throw Object.assign(new Error('not null violation'), { code: '23502' }) }), { code: '23502' }, 'what a retry cannot cure fails at once, as it is')
  t.equal(other, 1)
})

t.test('units that lost one race run again one after another, so none loses the next', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const one = new PostgresStore((await openPostgres(url)).db)
  const other = new PostgresStore((await openPostgres(url)).db)
  t.teardown(async () => { await one.close(); await other.close() })
  const claims = 30
  // Each unit claims the lowest free slot, as slugs are picked (name, name-2, …), on either instance.
  const claim = async (store: PostgresStore): Promise<number> => await store.transaction(async (tx) => {
    let slot = 1
    while (await metaQueries(tx).read(`slot-${slot}`) !== undefined) slot++
    await (tx.handle as PostgresHandle).execute(sql`insert into meta (key, value) values (${`slot-${slot}`}, 'taken')`)
    return slot
  })
  const slots = await Promise.all(Array.from({ length: claims }, async (_, i) => await claim(i % 2 === 0 ? one : other)))
  t.same([...slots].sort((x, y) => x - y), Array.from({ length: claims }, (_, i) => i + 1), `${claims} units took ${claims} slots, none refused`)
})
