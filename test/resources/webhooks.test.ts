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

t.test('deliveries about one resource arrive in order, and a failing one does not hold up other resources', async (t) => {
  const receiver = await startReceiver(t)
  const app = await build(t, { webhooks: { ...quickDeliveries, retryDelaysMs: [150, 150, 150] } })
  const author = await createAuthor(app, t)
  const first = await createArticle(app, t, { authorId: author.id, title: 'First' })
  const second = await createArticle(app, t, { authorId: author.id, title: 'Second' })
  const webhook = await createWebhook(app, t, receiver, { events: ['article.*'] })
  let refusedOnce = false
  receiver.behaviour = (received) => {
    if (received.body.data.id === String(first.id) && !refusedOnce) {
      refusedOnce = true
      return { status: 503 }
    }
    return { status: 204 }
  }
  await publish(app, t, first.id, { title: 'First, edited' })
  await publish(app, t, first.id)
  await publish(app, t, second.id)
  await receiver.waitFor(4)
  const arrivals = receiver.received.map(({ body }) => [body.data.id, body.data.kind])
  t.same(arrivals.filter(([id]) => id === String(first.id)), [[String(first.id), 'updated'], [String(first.id), 'updated'], [String(first.id), 'published']],
    'the refused update is retried before the publication that followed it is sent')
  t.ok(arrivals.findIndex(([id]) => id === String(second.id)) < 2, 'the other article went out while the first waited for its retry')
  const log = await logUntil(app, t, webhook.id, (log) => log.every(({ status }) => status === 'delivered'))
  t.equal(log.length, 3)
})

t.test('a delivery whose every attempt fails is given up, then sent again by hand with the same webhook-id', async (t) => {
  const receiver = await startReceiver(t)
  const app = await build(t, { webhooks: { ...quickDeliveries, retryDelaysMs: [30, 30] } })
  const webhook = await createWebhook(app, t, receiver)
  receiver.behaviour = () => ({ status: 500, body: 'x'.repeat(5000) })
  await createAuthor(app, t)
  const [given] = await logUntil(app, t, webhook.id, (log) => log[0]?.status === 'failed')
  t.match(given, { status: 'failed', attempts: 3, responseStatus: 500, error: 'answered 500', nextAttemptAt: null })
  t.equal(given!.responseExcerpt.length, 1024, 'only the start of the answer is kept')

  receiver.behaviour = () => ({ status: 200 })
  const redelivered = await request(app, t, { method: 'POST', url: `/v1/webhooks/${webhook.id}/deliveries/${given!.id}/redeliver`, headers: admin })
  t.equal(redelivered.statusCode, 202)
  t.equal(redelivered.json().status, 'pending')
  const [done] = await logUntil(app, t, webhook.id, (log) => log[0]?.status === 'delivered')
  t.match(done, { status: 'delivered', attempts: 4 })
  t.same(new Set(receiver.received.map(({ id }) => id)), new Set([given!.messageId]), 'one message, sent four times')

  const one = await request(app, t, { method: 'GET', url: `/v1/webhooks/${webhook.id}/deliveries/${given!.id}`, headers: admin })
  t.equal(one.json().status, 'delivered')
  t.same(await deliveries(app, t, webhook.id, '?status=failed'), [], 'the status filter')
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/webhooks/${webhook.id}/deliveries/999`, headers: admin }), 404, 'not-found')
})

t.test('a webhook failing for too long is disabled; enabled again, it is sent what it missed', async (t) => {
  const receiver = await startReceiver(t)
  const app = await build(t, { webhooks: { ...quickDeliveries, retryDelaysMs: [40, 40, 40, 40, 40, 40, 40, 40], disableAfterMs: 150 } })
  const webhook = await createWebhook(app, t, receiver, { events: ['author.*'] })
  receiver.behaviour = () => ({ status: 502 })
  await createAuthor(app, t, { name: 'Ada' })
  const deadline = Date.now() + 10_000
  let state = (await request(app, t, { method: 'GET', url: `/v1/webhooks/${webhook.id}`, headers: admin })).json()
  while (state.enabled === true && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 30))
    state = (await request(app, t, { method: 'GET', url: `/v1/webhooks/${webhook.id}`, headers: admin })).json()
  }
  t.equal(state.enabled, false, 'disabled by the deliverer')
  t.match(state.disabledReason, /^Every attempt since .* failed/)

  await createAuthor(app, t, { name: 'Grace' })
  const countWhileDisabled = receiver.received.length
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(receiver.received.length, countWhileDisabled, 'nothing is sent while disabled')
  assertProblem(t, await request(app, t, { method: 'POST', url: `/v1/webhooks/${webhook.id}/deliveries/${(await deliveries(app, t, webhook.id))[0]!.id}/redeliver`, headers: admin }), 409, 'conflict')

  receiver.behaviour = () => ({ status: 200 })
  const enabled = await request(app, t, { method: 'PATCH', url: `/v1/webhooks/${webhook.id}`, headers: admin, payload: { enabled: true } })
  t.match(enabled.json(), { enabled: true, disabledReason: null })
  const log = await logUntil(app, t, webhook.id, (log) => log.length === 2 && log.every(({ status }) => status === 'delivered'))
  t.same(log.map(({ event, status }) => [event, status]), [['author.created', 'delivered'], ['author.created', 'delivered']], 'the pending one, and the one made while it was disabled')
})

t.test('webhooks refuse private, loopback and link-local targets unless the setting allows them', async (t) => {
  const dir = await lastingDatabaseUrl(t)
  const app = await build(t, { databaseUrl: dir })
  for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://api.localhost/hook']) {
    assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url } }), 400, 'validation', 'body.url')
  }
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: 'https://user:secret@hooks.example.net/' } }), 400, 'validation', 'body.url')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: 'ftp://hooks.example.net/' } }), 400, 'validation', 'body.url')
  const created = await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: 'https://hooks.example.net/dateline' } })
  t.equal(created.statusCode, 201, 'a public name is taken')
  assertProblem(t, await request(app, t, { method: 'PATCH', url: `/v1/webhooks/${created.json().id}`, headers: admin, payload: { url: 'http://192.168.1.1/' } }), 400, 'validation', 'body.url')
  await app.close()

  // A name is checked where it resolves, at each attempt: made while private targets were
  // allowed, a webhook to `localhost` is refused once they are not.
  const receiver = await startReceiver(t)
  const permissive = await build(t, { databaseUrl: dir, webhooks: quickDeliveries })
  const webhook = await createWebhook(permissive, t, receiver, { url: receiver.url.replace('127.0.0.1', 'localhost') })
  await permissive.close()
  const strict = await build(t, { databaseUrl: dir, webhooks: { ...quickDeliveries, allowPrivateTargets: false } })
  await createAuthor(strict, t)
  const [refused] = await logUntil(strict, t, webhook.id, (log) => log[0]?.attempts >= 1 && log[0]?.error !== null)
  t.match(refused, { status: 'pending', responseStatus: null, error: /^localhost is (127\.0\.0\.1|::1), not a public address/ })
  t.equal(receiver.received.length, 0, 'nothing reached the loopback receiver')
})

t.test('webhooks are for admins, and their input is checked field by field', async (t) => {
  const app = await build(t)
  const editor = await tokenFor(app, 'editor')
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/webhooks' }), 401, 'unauthorized')
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/webhooks', headers: bearer(editor) }), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: bearer(editor), payload: { url: 'https://hooks.example.net/' } }), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: 'https://hooks.example.net/', events: ['article.exploded'] } }), 400, 'validation', 'body.events.0')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: 'https://hooks.example.net/', events: ['nothing.*'] } }), 400, 'validation', 'body.events.0')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: 'https://hooks.example.net/', events: [] } }), 400, 'validation', 'body.events')
  const created = (await request(app, t, { method: 'POST', url: '/v1/webhooks', headers: admin, payload: { url: 'https://hooks.example.net/', events: ['article.*', 'comment.approved'] } })).json()
  t.same(created.events, ['article.*', 'comment.approved'])
  const etag = (await request(app, t, { method: 'GET', url: `/v1/webhooks/${created.id}`, headers: admin })).headers.etag as string
  assertProblem(t, await request(app, t, { method: 'PATCH', url: `/v1/webhooks/${created.id}`, headers: { ...admin, 'if-match': '"webhook-1-v9.x"' }, payload: { description: 'x' } }), 412, 'precondition-failed')
  const changed = await request(app, t, { method: 'PATCH', url: `/v1/webhooks/${created.id}`, headers: { ...admin, 'if-match': etag }, payload: { description: 'Purge the CDN', enabled: false } })
  t.match(changed.json(), { description: 'Purge the CDN', enabled: false, disabledReason: null })
  assertProblem(t, await request(app, t, { method: 'PATCH', url: `/v1/webhooks/${created.id}`, headers: admin, payload: {} }), 400, 'validation')
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/webhooks/${created.id}`, headers: admin })).statusCode, 204)
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/webhooks/${created.id}`, headers: admin }), 404, 'not-found')
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/webhooks/${created.id}/deliveries`, headers: admin }), 404, 'not-found')
})

t.test('two instances on one database send each delivery once', async (t) => {
  const receiver = await startReceiver(t)
  const databaseUrl = await lastingDatabaseUrl(t)
  const one = await build(t, { databaseUrl, webhooks: { ...quickDeliveries, pollMs: 5 } })
  const two = await build(t, { databaseUrl, webhooks: { ...quickDeliveries, pollMs: 5 } })
  await createWebhook(one, t, receiver, { events: ['author.created'] })
  receiver.behaviour = () => ({ status: 200 })
  const made = 30
  await Promise.all(Array.from({ length: made }, async (_, i) => await createAuthor(i % 2 === 0 ? one : two, t, { name: `Writer ${i}` })))
  await receiver.waitFor(made)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const ids = receiver.received.map(({ id }) => id)
  t.equal(ids.length, made, 'one arrival per author made')
  t.equal(new Set(ids).size, made, 'no message twice')
})

t.test('a redirect is not followed, and a huge answer is not read to its end', async (t) => {
  const elsewhere = await startReceiver(t)
  const receiver = await startReceiver(t)
  const app = await build(t, { webhooks: { ...quickDeliveries, retryDelaysMs: [30] } })
  const webhook = await createWebhook(app, t, receiver, { events: ['author.created'] })
  receiver.behaviour = (_received, request) => request.url === '/hook'
    ? { status: 307, headers: { location: elsewhere.url } }
    : { status: 200 }
  await createAuthor(app, t)
  const [redirected] = await logUntil(app, t, webhook.id, (log) => log[0]?.status === 'failed')
  t.match(redirected, { status: 'failed', responseStatus: 307, error: 'answered 307: redirects are not followed' })
  t.equal(elsewhere.received.length, 0, 'the address it pointed to was never asked')

  receiver.behaviour = () => ({ status: 200, body: 'y'.repeat(5 * 1024 * 1024) })
  await request(app, t, { method: 'POST', url: `/v1/webhooks/${webhook.id}/deliveries/${redirected!.id}/redeliver`, headers: admin })
  const [taken] = await logUntil(app, t, webhook.id, (log) => log[0]?.status === 'delivered')
  t.match(taken, { status: 'delivered', responseStatus: 200 })
  t.equal(taken!.responseExcerpt, 'y'.repeat(1024), 'the first KiB of five MiB')
})

t.test('a rotated secret: the new one is shown once, and for a day both sign', async (t) => {
  const receiver = await startReceiver(t)
  const app = await build(t, { webhooks: quickDeliveries })
  const webhook = await createWebhook(app, t, receiver, { events: ['author.created'] })
  const rotated = await request(app, t, { method: 'POST', url: `/v1/webhooks/${webhook.id}/secret`, headers: admin })
  t.equal(rotated.statusCode, 200)
  t.equal(rotated.headers['cache-control'], 'no-store')
  const { secret } = rotated.json()
  t.match(secret, /^whsec_/)
  t.not(secret, webhook.secret)

  await createAuthor(app, t)
  const [signed] = await receiver.waitFor(1)
  t.ok(signed!.verified, 'a receiver still holding the old secret verifies')
  receiver.secret = secret
  await createAuthor(app, t)
  const [, again] = await receiver.waitFor(2)
  t.ok(again!.verified, 'and one holding the new secret')
  t.notOk(JSON.stringify((await request(app, t, { method: 'GET', url: `/v1/webhooks/${webhook.id}`, headers: admin })).json()).includes('whsec_'), 'neither is answered again')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/webhooks/999/secret', headers: admin }), 404, 'not-found')
})

t.test('a creation retried with its Idempotency-Key makes no second webhook and never shows the secret again', async (t) => {
  const app = await build(t)
  const headers = { ...admin, 'idempotency-key': 'create-rebuild-hook' }
  const payload = { url: 'https://hooks.example.net/rebuild', events: ['article.published'] }
  const created = await request(app, t, { method: 'POST', url: '/v1/webhooks', headers, payload })
  t.equal(created.statusCode, 201)
  const retried = await request(app, t, { method: 'POST', url: '/v1/webhooks', headers, payload })
  assertProblem(t, retried, 409, 'secret-shown-once')
  t.equal(retried.headers.location, `/v1/webhooks/${created.json().id}`)
  t.notOk(retried.body.includes(created.json().secret))
  t.equal((await request(app, t, { method: 'GET', url: '/v1/webhooks', headers: admin })).json().meta.total, 1)
})
