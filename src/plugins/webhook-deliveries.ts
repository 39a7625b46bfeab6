import fp from 'fastify-plugin'
import { WebhookDeliverer, type DeliveryOptions } from '../resources/webhooks/deliverer.js'
import { pruneDeliveries } from '../resources/webhooks/service.js'

export interface WebhookDeliveriesOptions extends Partial<DeliveryOptions> {
  /** How often finished deliveries older than the change log's retention are deleted (default hourly). */
  pruneIntervalMs?: number
}

/**
 * Sends this instance's share of webhook deliveries from when the app is ready until it
 * closes; an attempt cut short by the close is handed back for the next instance (or start).
 */
export default fp<WebhookDeliveriesOptions>(async function webhookDeliveriesPlugin (app, options) {
  const { pruneIntervalMs = 3_600_000, ...delivery } = options
  const deliverer = new WebhookDeliverer(app.store, delivery, app.log)
  const prune = (): void => {
    pruneDeliveries(app.store, app.settings.changesRetentionDays).catch((error: unknown) => {
      app.log.warn({ err: error }, 'could not prune the webhook delivery log')
    })
  }
  const pruning = setInterval(prune, pruneIntervalMs).unref()
  app.addHook('onReady', async () => {
    prune()
    deliverer.start()
  })
  app.addHook('preClose', async () => {
    clearInterval(pruning)
    await deliverer.close()
  })
}, { name: 'dateline-webhook-deliveries', dependencies: ['dateline-db', 'dateline-settings'] })
