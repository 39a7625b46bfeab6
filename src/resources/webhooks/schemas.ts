import { changedResources, deliveryStatuses } from '../../db/schema.js'
import { Change } from '../changes/schemas.js'
import { HttpUrl, idParam, ListMeta, pageQuery, plainTextPattern, ref, Timestamp, Type, type Static } from '../../schemas.js'

const events = Type.Array(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z*][a-z.*]*$' }), {
  minItems: 1,
  maxItems: 50,
  uniqueItems: true,
  description: `The changes it is told of, by their \`<resource>.<kind>\` name as \`GET /v1/changes\` shows them to editors (\`article.published\`, \`comment.approved\`), \`<resource>.*\` for all of one resource's (${changedResources.join(', ')}), or \`*\` for every change`,
  examples: [['article.published', 'article.unpublished', 'article.purged']]
})

const webhookProperties = {
  id: Type.Integer({ minimum: 1, examples: [2] }),
  url: Type.String({ description: 'Where deliveries are POSTed', examples: ['https://hooks.example.net/dateline'] }),
  description: Type.String({ examples: ['Rebuild the static site'] }),
  events,
  enabled: Type.Boolean({ description: 'Whether changes are delivered. A disabled webhook keeps its place in the log: enabled again, it is sent what it missed (while the log still keeps it)' }),
  disabledReason: Type.Union([Type.String(), Type.Null()], { description: 'Why Dateline disabled it (every attempt failing for days); null when an admin did, or it is enabled' }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}

const example = {
  id: 2,
  url: 'https://hooks.example.net/dateline',
  description: 'Rebuild the static site',
  events: ['article.published', 'article.updated', 'article.unpublished'],
  enabled: true,
  disabledReason: null,
  createdAt: '2026-12-05T09:00:00.000Z',
  updatedAt: '2026-12-05T09:00:00.000Z'
}

export const Webhook = Type.Object(webhookProperties, {
  $id: 'Webhook',
  additionalProperties: false,
  description: 'An address told of changes, without its signing secret',
  examples: [example]
})
export type WebhookBody = Static<typeof Webhook>

export const CreatedWebhook = Type.Object({
  ...webhookProperties,
  secret: Type.String({ description: 'The signing secret (Standard Webhooks, `whsec_…`). Shown this once: keep it where the receiver verifies signatures', examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] })
}, {
  $id: 'CreatedWebhook',
  additionalProperties: false,
  examples: [{ ...example, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }]
})

export const WebhookList = Type.Object({ data: Type.Array(ref(Webhook)), meta: ref(ListMeta) }, {
  $id: 'WebhookList',
  additionalProperties: false,
  examples: [{ data: [example], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }]
})

const webhookUrl = Type.String({ ...HttpUrl, description: 'An absolute http(s) URL without credentials; to a public address unless `DATELINE_WEBHOOKS_ALLOW_PRIVATE` is set', examples: ['https://hooks.example.net/dateline'] })
const description = Type.String({ maxLength: 500, pattern: plainTextPattern, examples: ['Rebuild the static site'] })

export const NewWebhook = Type.Object({
  url: webhookUrl,
  events: Type.Optional({ ...events, default: ['*'] }),
  description: Type.Optional(description),
  enabled: Type.Optional(Type.Boolean({ default: true }))
}, { $id: 'NewWebhook', additionalProperties: false, examples: [{ url: 'https://hooks.example.net/dateline', events: ['article.published', 'article.updated', 'article.unpublished'], description: 'Rebuild the static site' }] })
export type NewWebhookBody = Static<typeof NewWebhook>

export const WebhookPatch = Type.Object({
  url: Type.Optional(webhookUrl),
  events: Type.Optional(events),
  description: Type.Optional(description),
  enabled: Type.Optional(Type.Boolean({ description: 'false stops deliveries; true resumes them, from the first change missed, and retries what is pending at once' }))
}, { $id: 'WebhookPatch', additionalProperties: false, minProperties: 1, examples: [{ enabled: true }] })
export type WebhookPatchBody = Static<typeof WebhookPatch>

export const WebhookParams = Type.Object({
  id: idParam('The webhook id (see `GET /v1/webhooks`)')
}, { additionalProperties: false })

export const WebhookListQuery = Type.Object({ ...pageQuery }, { additionalProperties: false })

const deliveryStatus = Type.Unsafe<(typeof deliveryStatuses)[number]>({
  type: 'string',
  enum: [...deliveryStatuses],
  description: '`pending`: waiting for its next attempt (or being sent); `delivered`: the receiver answered 2xx; `failed`: every attempt of the schedule failed (redeliver it by hand)'
})

const deliveryExample = {
  id: 31,
  messageId: 'msg_w2p42',
  event: 'article.published',
  position: 42,
  status: 'delivered',
  attempts: 1,
  nextAttemptAt: null,
  lastAttemptAt: '2026-12-05T09:30:01.000Z',
  responseStatus: 204,
  responseExcerpt: '',
  error: null,
  createdAt: '2026-12-05T09:30:00.500Z',
  deliveredAt: '2026-12-05T09:30:01.000Z',
  payload: { type: 'article.published', timestamp: '2026-12-05T09:30:00.000Z', data: { position: 42, at: '2026-12-05T09:30:00.000Z', resource: 'article', id: '12', slug: 'council-approves-tram-line', kind: 'published', fields: ['status', 'publishedAt'], articleId: 12 } }
}

export const WebhookDelivery = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [31] }),
  messageId: Type.String({ description: 'The `webhook-id` header of every attempt: a receiver that has seen it may drop the repeat', examples: ['msg_w2p42'] }),
  event: Type.String({ examples: ['article.published'] }),
  position: Type.Integer({ minimum: 1, description: 'The change log position it tells of' }),
  status: deliveryStatus,
  attempts: Type.Integer({ minimum: 0 }),
  nextAttemptAt: Type.Union([Timestamp, Type.Null()], { description: 'When it is tried next, while pending' }),
  lastAttemptAt: Type.Union([Timestamp, Type.Null()]),
  responseStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'The receiver\'s status at the last attempt; null when none came' }),
  responseExcerpt: Type.Union([Type.String(), Type.Null()], { description: 'The start of the receiver\'s answer at the last attempt (1 KiB at most)' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why the last attempt failed: the status, a timeout, a refused or unreachable address' }),
  createdAt: Timestamp,
  deliveredAt: Type.Union([Timestamp, Type.Null()]),
  payload: Type.Object({
    type: Type.String(),
    timestamp: Timestamp,
    data: ref(Change)
  }, { additionalProperties: false, description: 'The body POSTed, the same at every attempt' })
}, { $id: 'WebhookDelivery', additionalProperties: false, examples: [deliveryExample] })
export type WebhookDeliveryBody = Static<typeof WebhookDelivery>

export const WebhookDeliveryList = Type.Object({ data: Type.Array(ref(WebhookDelivery)), meta: ref(ListMeta) }, {
  $id: 'WebhookDeliveryList',
  additionalProperties: false,
  examples: [{ data: [deliveryExample], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }]
})

export const DeliveryListQuery = Type.Object({
  ...pageQuery,
  status: Type.Optional(deliveryStatus)
}, { additionalProperties: false })
export type DeliveryListQueryString = Static<typeof DeliveryListQuery>

export const DeliveryParams = Type.Object({
  id: idParam('The webhook id'),
  deliveryId: idParam('The delivery id (see the webhook\'s deliveries)')
}, { additionalProperties: false })

export const webhookSchemas = [Webhook, CreatedWebhook, WebhookList, NewWebhook, WebhookPatch, WebhookDelivery, WebhookDeliveryList]
