import type { PassThrough } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger } from 'fastify'
import { invalid, TooManyRequests } from '../../errors.js'
import { changeListExample } from '../../demo/examples.js'
import { readSecurity } from '../../lib/responses.js'
import { problems, Type } from '../../schemas.js'
import { LiveChanges } from './live.js'
import { StreamQuery } from './schemas.js'
import * as changes from '../changes/service.js'
import * as service from './service.js'
import { OpenStreams, Subscription } from './subscription.js'

export interface StreamOptions {
  /** How often the change log is read for new entries (default 500 ms). */
  pollMs: number
  /** How often an idle stream gets a comment line, so proxies keep it open (default 15 s). */
  heartbeatMs: number
  /** Streams one client may hold open at once (default 10). */
  perClient: number
}

// The answer is a stream of text, written as changes come.
const EventStream = Type.Unsafe<PassThrough>({
  type: 'string',
  description: 'text/event-stream: `id:` and `data:` lines per event, `:` comment lines as heartbeats',
  examples: [`retry: 3000\n\n${changeListExample.data.map((change) => `id: ${change.position}\ndata: ${JSON.stringify(change)}\n\n`).join('')}: still here\n\n`]
})

const streamRoutes: FastifyPluginAsyncTypebox<StreamOptions> = async (app, options) => {
  const live = new LiveChanges(app.store, options.pollMs, (error) => { app.log.warn({ err: error }, 'could not read the change log for live updates') })
  await live.start()
  const subscriptions = new Set<Subscription>()
  const openStreams = new OpenStreams(options.perClient)
  // Open streams never finish on their own: closing ends them, so the server can close.
  app.addHook('preClose', async () => {
    live.stop()
    for (const subscription of subscriptions) subscription.end()
  })

  app.get('', {
    config: { caching: 'none' },
    schema: {
      tags: ['changes'],
      operationId: 'streamChanges',
      summary: 'Live updates, as Server-Sent Events',
      description: 'The public changes as they happen (what `GET /v1/changes` shows a reader without a token: `created`, `updated`, `removed`), one event each, its `id` the log position and its data the change as JSON. Filter by `article` (a live blog page: the article and its approved comments), `label` or `author`. A reconnecting EventSource sends `Last-Event-ID` and misses nothing the log still holds (410 past its retention). A comment line every 15 s keeps proxies from closing an idle stream. Each client may hold 10 streams open.',
      security: readSecurity,
      querystring: StreamQuery,
      response: {
        200: { description: 'A stream of events; each `data` is a `Change`', content: { 'text/event-stream': { schema: EventStream } } },
        ...problems(400, 404, 410, 429)
      }
    }
  }, async (request, reply) => {
    const filter = await service.filterFor(app.store, request.query)
    const resumeAt = resumeFrom(request.headers['last-event-id']) ?? request.query.since ?? null
    if (resumeAt !== null) await service.assertResumable(app.store, resumeAt)
    // Without a resume point, from the log's head now: the live tail may not have read it yet.
    const since = resumeAt ?? await changes.head(app.store)
    if (!openStreams.open(request.ip)) {
      reply.header('retry-after', '10')
      throw new TooManyRequests(`This client has ${options.perClient} live streams open already; close one first`)
    }
    const subscription = new Subscription(filter, since, options.heartbeatMs, (ended) => {
      live.unfollow(ended.follower)
      subscriptions.delete(ended)
      openStreams.closed(request.ip)
    })
    subscriptions.add(subscription)
    // The client went away (its connection closed before the endless answer did).
    reply.raw.once('close', () => { subscription.end() })
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-store')
      // Proxies (nginx) would buffer the stream otherwise.
      .header('x-accel-buffering', 'no')
    reply.send(subscription.stream)
    await follow(live, subscription, request.log)
    return reply
  })
}

/** Brings the subscription up to date from the log, then live; a failure ends it (the client resumes from its last event). */
async function follow (live: LiveChanges, subscription: Subscription, log: FastifyBaseLogger): Promise<void> {
  try {
    await live.follow(subscription.follower)
  } catch (error) {
    log.warn({ err: error }, 'could not bring a live stream up to date; ending it')
    subscription.end()
  }
  // Gone while it caught up: it was not followed yet when it ended, so it is let go now.
  if (subscription.ended) live.unfollow(subscription.follower)
}

/** The position in `Last-Event-ID`, which the API sent as an event's id. */
function resumeFrom (header: string | string[] | undefined): number | null {
  if (header === undefined) return null
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) throw invalid('headers.last-event-id', 'must be the id of an event this API sent (a position in the change log)')
  return Number(value.trim())
}

export default streamRoutes
