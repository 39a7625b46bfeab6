// A webhook delivery survives the server: killed (-9) while a receiver held the request open,
// then started again on the same database, the server sends that delivery again once its
// claim has run out — once more, with the same webhook-id — and goes on with what is pending.
import t from 'tap'
import { lastingDatabaseUrl } from '../helper.js'
import { startReceiver } from '../webhook-receiver.js'
import { admin, send, sleep, startServer, until } from './server-process.js'

// One attempt may take a second, so a claim lasts three (deliverer.ts): the restarted server
// waits that long for the dead one's claim.
const serverEnv = { DATELINE_WEBHOOKS_ALLOW_PRIVATE: 'true', DATELINE_WEBHOOK_TIMEOUT: '1000' }

t.test('kill -9 in the middle of a delivery: it is made after the restart, and at most once more', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const receiver = await startReceiver(t)
  let first = true
  // The first request is held open until the server that sent it is gone; the rest are taken.
  receiver.behaviour = () => {
    if (!first) return { status: 200 }
    first = false
    return 'hang'
  }
  const server = await startServer(t, databaseUrl, serverEnv)
  const created = await send(server.port, { method: 'POST', path: '/v1/webhooks', headers: admin, body: { url: receiver.url, events: ['author.created'] } })
  t.equal(created.status, 201, created.body)
  const webhook = JSON.parse(created.body)
  receiver.secret = webhook.secret

  t.equal((await send(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Ada Lovelace' } })).status, 201)
  await until(10_000, 'the first attempt reaching the receiver', () => receiver.received.length === 1)
  // Another resource's delivery is not held up by the one in flight.
  t.equal((await send(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Grace Hopper' } })).status, 201)
  await until(10_000, 'the second author\'s delivery, logged', async () => {
    const log = JSON.parse((await send(server.port, { path: `/v1/webhooks/${webhook.id}/deliveries?status=delivered`, headers: admin })).body)
    return log.data.length === 1
  })
  server.child.kill('SIGKILL')
  await server.exited

  const restarted = await startServer(t, databaseUrl, serverEnv)
  await until(15_000, 'the cut-off delivery made again after the restart', () => receiver.received.length === 3)
  await sleep(1500)
  const [cutOff, other, again] = receiver.received
  t.equal(receiver.received.length, 3, 'nothing more arrives')
  t.equal(again!.id, cutOff!.id, 'the delivery cut off by the kill, with the same webhook-id')
  t.not(other!.id, cutOff!.id)
  t.ok(receiver.received.every(({ verified }) => verified), 'every arrival verifies')
  t.equal(again!.body.data.slug, 'ada-lovelace')

  const log = JSON.parse((await send(restarted.port, { path: `/v1/webhooks/${webhook.id}/deliveries`, headers: admin })).body).data
  t.match(log, [{ status: 'delivered', attempts: 1 }, { status: 'delivered', attempts: 2, messageId: cutOff!.id }])
})
