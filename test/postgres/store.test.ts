import t from 'tap'
import { metaQueries } from '../../src/db/meta.js'
import { openPostgres } from '../../src/db/postgres.js'
import { PostgresStore } from '../../src/db/postgres-store.js'
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
