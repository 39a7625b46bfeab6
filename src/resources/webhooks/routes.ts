import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IfMatchHeaders, notModified, problems, ref } from '../../schemas.js'
import { CreatedWebhook, DeliveryListQuery, DeliveryParams, NewWebhook, Webhook, WebhookDelivery, WebhookDeliveryList, WebhookList, WebhookListQuery, WebhookParams, WebhookPatch } from './schemas.js'
import * as service from './service.js'

export interface WebhookRoutesOptions {
  /** Webhooks may point at private, loopback and link-local addresses (DATELINE_WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivateTargets: boolean
}

const tags = ['webhooks']

/** Webhooks and their delivery logs: admins only. The deliveries themselves: deliverer.ts. */
const webhooksRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, options) => {
  const rules = { allowPrivateTargets: options.allowPrivateTargets }
  app.addHook('preHandler', app.requireRole('admin'))

  app.get('', {
    schema: {
      tags,
      operationId: 'listWebhooks',
      summary: 'List webhooks',
      description: 'Every webhook, oldest first; never a secret.',
      security: writeSecurity,
      querystring: WebhookListQuery,
      response: { 200: answer(WebhookList, 'list', 'A page of webhooks'), ...problems(400, 401, 403) }
    }
  }, async (request, reply) => pageBody(reply, await service.pageOfWebhooks(app.store, request.query)))

  app.post('', {
    config: { secretInAnswer: true },
    schema: {
      tags,
      operationId: 'createWebhook',
      summary: 'Create a webhook',
      description: 'From now on, each change the webhook subscribes to is POSTed to its URL, signed as Standard Webhooks specifies ' +
        '(`webhook-id`, `webhook-timestamp`, `webhook-signature`), in order for each resource, retried for about a day while the receiver fails. ' +
        'The answer carries the signing secret, once.',
      security: writeSecurity,
      body: ref(NewWebhook),
      response: { 201: answer(CreatedWebhook, 'created', 'The new webhook, with its signing secret'), ...problems(400, 401, 403, 413, 415) }
    }
  }, async (request, reply) => {
    const { webhook, secret, version } = await service.createOne(app.store, request.body, rules)
    reply.resourceVersion = version
    // The secret must not sit in a cache anywhere.
    reply.header('cache-control', 'no-store')
    return reply.code(201).header('location', `/v1/webhooks/${webhook.id}`).send({ ...webhook, secret })
  })

  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getWebhook',
      summary: 'Get a webhook',
      description: 'Its address, events and state; never its secret.',
      security: writeSecurity,
      params: WebhookParams,
      response: { 200: answer(Webhook, 'single', 'The webhook'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { webhook, version } = await service.findOne(app.store, request.params.id)
    reply.resourceVersion = version
    return webhook
  })

  app.patch('/:id', {
    schema: {
      tags,
      operationId: 'updateWebhook',
      summary: 'Change a webhook',
      description: 'Its address, events or description; `enabled: false` stops deliveries, `enabled: true` resumes them from the first change missed.',
      security: writeSecurity,
      params: WebhookParams,
      headers: IfMatchHeaders,
      body: ref(WebhookPatch),
      response: { 200: answer(Webhook, 'single', 'The changed webhook'), ...problems(400, 401, 403, 404, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { webhook, version } = await service.updateOne(app.store, request.params.id, request.body, request.headers['if-match'], rules)
    reply.resourceVersion = version
    return webhook
  })

  app.delete('/:id', {
    schema: {
      tags,
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook',
      description: 'With its delivery log; what was pending is not sent.',
      security: writeSecurity,
      params: WebhookParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, request.params.id, request.headers['if-match'])
    return reply.code(204).send(null)
  })

  app.post('/:id/secret', {
    config: { secretInAnswer: true },
    schema: {
      tags,
      operationId: 'rotateWebhookSecret',
      summary: 'Give a webhook a new signing secret',
      description: 'The answer carries the new secret, once. For a day the old one goes on signing beside it (`webhook-signature` holds both signatures), so the receiver can switch over without losing a delivery.',
      security: writeSecurity,
      params: WebhookParams,
      response: { 200: answer(CreatedWebhook, 'single', 'The webhook, with its new signing secret'), ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { webhook, secret, version } = await service.rotateSecret(app.store, request.params.id)
    reply.resourceVersion = version
    reply.header('cache-control', 'no-store')
    return { ...webhook, secret }
  })

  app.get('/:id/deliveries', {
    schema: {
      tags,
      operationId: 'listWebhookDeliveries',
      summary: 'List a webhook\'s deliveries',
      description: 'Its delivery log, newest first: each event\'s status, attempts and the receiver\'s last answer. Kept as long as the change log keeps its entries.',
      security: writeSecurity,
      params: WebhookParams,
      querystring: DeliveryListQuery,
      response: { 200: answer(WebhookDeliveryList, 'list', 'A page of deliveries'), ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => pageBody(reply, await service.pageOfDeliveries(app.store, request.params.id, request.query)))

  app.get('/:id/deliveries/:deliveryId', {
    schema: {
      tags,
      operationId: 'getWebhookDelivery',
      summary: 'Get a delivery',
      description: 'One delivery: its status, attempts, the receiver\'s last answer and the body sent.',
      security: writeSecurity,
      params: DeliveryParams,
      response: { 200: answer(WebhookDelivery, 'single', 'The delivery'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request) => await service.findDelivery(app.store, request.params.id, request.params.deliveryId))

  app.post('/:id/deliveries/:deliveryId/redeliver', {
    schema: {
      tags,
      operationId: 'redeliverWebhookDelivery',
      summary: 'Send a delivery again',
      description: 'At once, with the same `webhook-id`, then retried on the usual schedule if it fails. 409 while the webhook is disabled or the delivery is being sent.',
      security: writeSecurity,
      params: DeliveryParams,
      response: { 202: answer(WebhookDelivery, 'single', 'The delivery, due now'), ...problems(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => reply.code(202).send(await service.redeliver(app.store, request.params.id, request.params.deliveryId)))
}

export default webhooksRoutes
