import { changeLogQueries } from '../../db/change-log.js'
import type { Store } from '../../db/store.js'
import { Conflict, invalid, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import { mapPage, readPage, type Page, type PageRequest } from '../../lib/list.js'
import { nowIso } from '../../lib/time.js'
import { assertEventNames } from './events.js'
import { addressRefusal } from './outbound.js'
import { webhookQueries, type DeliveryRow, type NewWebhookRow, type WebhookRow } from './queries.js'
import type { DeliveryListQueryString, NewWebhookBody, WebhookBody, WebhookDeliveryBody, WebhookPatchBody } from './schemas.js'
import { newSigningSecret } from './signing.js'

export function webhookVersion (row: WebhookRow): string {
  return `webhook-${row.id}-v${row.version}`
}

function present (row: WebhookRow): WebhookBody {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as string[],
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
}

function presentDelivery (row: DeliveryRow): WebhookDeliveryBody {
  return {
    id: row.id,
    messageId: row.messageId,
    event: row.event,
    position: row.position,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
    lastAttemptAt: row.lastAttemptAt,
    responseStatus: row.responseStatus,
    responseExcerpt: row.responseExcerpt,
    error: row.error,
    createdAt: row.createdAt,
    deliveredAt: row.deliveredAt,
    payload: JSON.parse(row.payload) as WebhookDeliveryBody['payload']
  }
}

/**
 * Refuses what a webhook may not point at, as far as the URL shows it: credentials (they would
 * be shown in every listing), and unless `allowPrivateTargets` an address that is not public
 * (the rule each attempt applies too) or a loopback name. Other names are checked at each
 * attempt, where they resolve (outbound.ts): what a name resolves to can change.
 */
function assertTarget (raw: string, allowPrivateTargets: boolean, field: string): void {
  // URL.parse is newer than Node 20.0.
  if (!URL.canParse(raw)) throw invalid(field, 'is not a URL')
  const url = new URL(raw)
  if (url.username !== '' || url.password !== '') throw invalid(field, 'must not carry credentials: a receiver checks the signature instead')
  const refused = addressRefusal(url, allowPrivateTargets)
  if (refused !== null) throw invalid(field, `must be a public address: ${refused}`)
  const host = url.hostname.toLowerCase()
  if (!allowPrivateTargets && (host === 'localhost' || host.endsWith('.localhost'))) {
    throw invalid(field, `must be a public address, not ${url.hostname} (DATELINE_WEBHOOKS_ALLOW_PRIVATE allows private ones)`)
  }
}

async function findRow (store: Store, id: number, forUpdate = false): Promise<WebhookRow> {
  const webhooks = webhookQueries(store)
  const row = forUpdate ? await webhooks.webhookByIdForUpdate(id) : await webhooks.webhookById(id)
  if (row === undefined) throw new NotFound(`There is no webhook ${id}`)
  return row
}

export interface TargetRules {
  allowPrivateTargets: boolean
}

/** Creates a webhook, told of changes from now on; its secret is answered here, once. */
export async function createOne (store: Store, input: NewWebhookBody, rules: TargetRules): Promise<{ webhook: WebhookBody, secret: string, version: string }> {
  assertTarget(input.url, rules.allowPrivateTargets, 'body.url')
  const events = input.events ?? ['*']
  assertEventNames(events, 'body.events')
  const secret = newSigningSecret()
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const row = await webhookQueries(tx).insertWebhook({
      url: input.url,
      description: input.description ?? '',
      events: JSON.stringify(events),
      secret,
      previousSecret: null,
      previousSecretExpiresAt: null,
      enabled: input.enabled ?? true,
      disabledReason: null,
      cursor: await changeLogQueries(tx).head(),
      failingSince: null,
      version: 1,
      createdAt: now,
      updatedAt: now
    })
    return { webhook: present(row), secret, version: webhookVersion(row) }
  })
}

export async function findOne (store: Store, id: number): Promise<{ webhook: WebhookBody, version: string }> {
  const row = await findRow(store, id)
  return { webhook: present(row), version: webhookVersion(row) }
}

export async function pageOfWebhooks (store: Store, request: PageRequest): Promise<Page<WebhookBody>> {
  const webhooks = webhookQueries(store)
  const page = await readPage(request, [], {
    count: async (after) => await webhooks.countWebhooks(after === undefined ? undefined : Number(after[0])),
    fetch: async (after, limit, offset) => await webhooks.pageOfWebhooks(after === null ? null : Number(after[0]), limit, offset),
    cursorOf: (row) => [row.id]
  })
  return await mapPage(page, (rows) => rows.map(present))
}

/** Changes a webhook. Enabling it again clears its failures and makes what is pending due at once. */
export async function updateOne (store: Store, id: number, patch: WebhookPatchBody, ifMatch: string | undefined, rules: TargetRules): Promise<{ webhook: WebhookBody, version: string }> {
  if (patch.url !== undefined) assertTarget(patch.url, rules.allowPrivateTargets, 'body.url')
  if (patch.events !== undefined) assertEventNames(patch.events, 'body.events')
  return await store.transaction(async (tx) => {
    const current = await findRow(tx, id, true)
    assertIfMatch(ifMatch, webhookVersion(current))
    const now = nowIso()
    const values: Partial<NewWebhookRow> = { version: current.version + 1, updatedAt: now }
    if (patch.url !== undefined) values.url = patch.url
    if (patch.description !== undefined) values.description = patch.description
    if (patch.events !== undefined) values.events = JSON.stringify(patch.events)
    if (patch.enabled !== undefined) {
      values.enabled = patch.enabled
      values.disabledReason = null
      if (patch.enabled && !current.enabled) {
        values.failingSince = null
        await webhookQueries(tx).duePendingNow(id, now)
      }
    }
    const row = await webhookQueries(tx).updateWebhook(id, values)
    return { webhook: present(row), version: webhookVersion(row) }
  })
}

/** How long a rotated secret goes on signing beside the new one. */
export const previousSecretSigningMs = 24 * 60 * 60 * 1000

/**
 * A new signing secret, answered here once. The old one goes on signing beside it for a day
 * (two signatures in `webhook-signature`), so a receiver switches over without losing a delivery.
 */
export async function rotateSecret (store: Store, id: number): Promise<{ webhook: WebhookBody, secret: string, version: string }> {
  const secret = newSigningSecret()
  return await store.transaction(async (tx) => {
    const current = await findRow(tx, id, true)
    const now = nowIso()
    const row = await webhookQueries(tx).updateWebhook(id, {
      secret,
      previousSecret: current.secret,
      previousSecretExpiresAt: new Date(Date.parse(now) + previousSecretSigningMs).toISOString(),
      version: current.version + 1,
      updatedAt: now
    })
    return { webhook: present(row), secret, version: webhookVersion(row) }
  })
}

/** Deletes a webhook and its deliveries, pending ones included: nothing more is sent to it. */
export async function removeOne (store: Store, id: number, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await findRow(tx, id, true)
    assertIfMatch(ifMatch, webhookVersion(current))
    await webhookQueries(tx).deleteWebhook(id)
  })
}

/** A webhook's deliveries, newest first. */
export async function pageOfDeliveries (store: Store, webhookId: number, query: DeliveryListQueryString): Promise<Page<WebhookDeliveryBody>> {
  await findRow(store, webhookId)
  const deliveries = webhookQueries(store)
  const page = await readPage(query, [], {
    count: async (after) => await deliveries.countDeliveries(webhookId, query.status, after === undefined ? undefined : Number(after[0])),
    fetch: async (after, limit, offset) => await deliveries.pageOfDeliveries(webhookId, query.status, after === null ? null : Number(after[0]), limit, offset),
    cursorOf: (row) => [row.id]
  })
  return await mapPage(page, (rows) => rows.map(presentDelivery))
}

async function findDeliveryRow (store: Store, webhookId: number, deliveryId: number): Promise<DeliveryRow> {
  const row = await webhookQueries(store).deliveryById(webhookId, deliveryId)
  if (row === undefined) throw new NotFound(`Webhook ${webhookId} has no delivery ${deliveryId}`)
  return row
}

export async function findDelivery (store: Store, webhookId: number, deliveryId: number): Promise<WebhookDeliveryBody> {
  return presentDelivery(await findDeliveryRow(store, webhookId, deliveryId))
}

/**
 * Sends a delivery again, with the same message id (a receiver that has it may drop it), as a
 * new run of the retry schedule: at once, then retried as any delivery is. Deliveries after
 * it about the same resource wait for it, as they always do.
 */
export async function redeliver (store: Store, webhookId: number, deliveryId: number): Promise<WebhookDeliveryBody> {
  return await store.transaction(async (tx) => {
    const webhook = await findRow(tx, webhookId, true)
    if (!webhook.enabled) throw new Conflict(`Webhook ${webhookId} is disabled: enable it (PATCH enabled: true) and its deliveries go on`)
    const current = await findDeliveryRow(tx, webhookId, deliveryId)
    if (current.status === 'pending' && current.leaseUntil !== null && current.leaseUntil > nowIso()) {
      throw new Conflict(`Delivery ${deliveryId} is being sent right now; look again in a moment`)
    }
    const row = await webhookQueries(tx).updateDelivery(deliveryId, { status: 'pending', step: 0, nextAttemptAt: nowIso(), deliveredAt: null })
    return presentDelivery(row)
  })
}

const dayMs = 24 * 60 * 60 * 1000

/** Deletes the finished deliveries older than `days`: the delivery log is kept as long as the change log. */
export async function pruneDeliveries (store: Store, days: number, now = Date.now()): Promise<void> {
  await store.bookkeeping(async (tx) => {
    await webhookQueries(tx).pruneDeliveries(new Date(now - days * dayMs).toISOString())
  })
}
