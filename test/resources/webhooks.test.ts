import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, lastingDatabaseUrl, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'
import { quickDeliveries, startReceiver, type Receiver } from '../webhook-receiver.js'

// Webhooks (issue 20): signed deliveries of the change log's entries to a real receiver, in
// order per resource, retried, logged, redelivered, disabled and enabled again.

type Item = Record<string, any>
const admin = bearer(adminSecret)

async function createWebhook (app: FastifyInstance, t: Test, receiver: Receiver, body: Item = {}): Promise<Item> {
  const response = await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: receiver.url, ...body } })
  t.equal(response.statusCode, 201, response.body)
  const webhook = response.json()
  receiver.secret = webhook.secret
  return webhook
}

async function deliveries (app: FastifyInstance, t: Test, webhookId: number, query = ''): Promise<Item[]> {
  const response = await request(app, t, { method: 'GET', url: `/v1/webhooks/${webhookId}/deliveries${query}`, headers: admin })
  t.equal(response.statusCode, 200)
  return response.json().data
}

/** Polls the delivery log until `done` holds of it (or a few seconds pass). */
async function logUntil (app: FastifyInstance, t: Test, webhookId: number, done: (log: Item[]) => boolean): Promise<Item[]> {
  const deadline = Date.now() + 10_000
  let log = await deliveries(app, t, webhookId)
  while (!done(log) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 30))
    log = await deliveries(app, t, webhookId)
  }
  return log
}

async function publish (app: FastifyInstance, t: Test, id: number, payload: Item = { status: 'published' }): Promise<void> {
  t.equal((await request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers: admin, payload })).statusCode, 200)
}

t.test('publishing an article POSTs a signed article.published to the webhook, logged as delivered', async (t) => {
  const receiver = await startReceiver(t)
  const app = await build(t, { webhooks: quickDeliveries })
  const webhook = await createWebhook(app, t, receiver, { events: ['article.published'], description: 'Rebuild the site' })
  t.match(webhook.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'a Standard Webhooks secret, shown once')
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Tram line approved' })
  await publish(app, t, article.id)

  const [delivery] = await receiver.waitFor(1)
  t.equal(receiver.received.length, 1, 'only the event subscribed to: not the creation of the draft')
  t.ok(delivery!.verified, 'the standardwebhooks library verifies the signature')
  t.match(delivery!.body, { type: 'article.published', data: { resource: 'article', id: String(article.id), kind: 'published', articleId: article.id } })
  const log = await logUntil(app, t, webhook.id, (log) => log[0]?.status === 'delivered')
  t.match(log, [{ event: 'article.published', status: 'delivered', attempts: 1, responseStatus: 200, responseExcerpt: 'thanks', error: null, messageId: delivery!.id }])
  t.same(log[0]!.payload, delivery!.body, 'the log holds the body sent')

  const read = await request(app, t, { method: 'GET', url: `/v1/webhooks/${webhook.id}`, headers: admin })
  t.notOk('secret' in read.json(), 'the secret is never answered again')
  t.notOk(JSON.stringify((await request(app, t, { method: 'GET', url: '/v1/webhooks', headers: admin })).json()).includes(webhook.secret))
})

t.test('a receiver that answers 500, or does not answer, is retried until it takes the delivery', async (t) => {
  const receiver = await startReceiver(t)
  const app = await build(t, { webhooks: { ...quickDeliveries, timeoutMs: 300 } })
  const webhook = await createWebhook(app, t, receiver)
  const answers: Array<'hang' | number> = [500, 'hang', 200]
  receiver.behaviour = () => {
    const next = answers.shift() ?? 200
    return next === 'hang' ? 'hang' : { status: next, body: next === 500 ? 'database on fire' : 'ok' }
  }
  const author = await createAuthor(app, t)
  t.ok(author.id)
  const received = await receiver.waitFor(3)
  t.equal(received.length, 3, 'the first attempt, a retry after the 500, one after the timeout')
  t.same(new Set(received.map(({ id }) => id)).size, 1, 'every attempt carries the same webhook-id')
  t.ok(received.every(({ verified }) => verified), 'each attempt is signed afresh')
  const [entry] = await logUntil(app, t, webhook.id, (log) => log[0]?.status === 'delivered')
  t.match(entry, { event: 'author.created', status: 'delivered', attempts: 3, responseStatus: 200 })
})

t.test('a receiver that is down for a while gets the delivery once it is back', async (t) => {
  const receiver = await startReceiver(t)
  const app = await build(t, { webhooks: quickDeliveries })
  const webhook = await createWebhook(app, t, receiver)
  await receiver.stop()
  await createAuthor(app, t)
  const failing = await logUntil(app, t, webhook.id, (log) => log[0]?.attempts >= 2)
  t.match(failing, [{ status: 'pending', responseStatus: null, error: /ECONNREFUSED/ }], 'the refused connection is logged')
  await receiver.start()
  await receiver.waitFor(1)
  t.equal(receiver.received.length, 1)
  t.match(await logUntil(app, t, webhook.id, (log) => log[0]?.status === 'delivered'), [{ status: 'delivered' }])
})
