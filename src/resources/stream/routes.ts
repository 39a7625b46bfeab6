import { PassThrough } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { invalid, TooManyRequests } from '../../errors.js'
import { changeListExample } from '../../demo/examples.js'
import { readSecurity } from '../../lib/responses.js'
import { problems, Type } from '../../schemas.js'
import { LiveChanges, type Follower } from './live.js'
import { StreamQuery } from './schemas.js'
import * as service from './service.js'

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

// A client that reads slower than changes come is dropped past this much unsent: it reconnects
// with Last-Event-ID and catches up from the log, rather than this process holding its backlog.
const maxUnsentBytes = 1024 * 1024

const streamRoutes: FastifyPluginAsyncTypebox<StreamOptions> = async (app, options) => {
  const live = new LiveChanges(app.store, options.pollMs, (error) => { app.log.warn({ err: error }, 'could not read the change log for live updates') })
  await live.start()
  const streams = new Set<PassThrough>()
  const openByClient = new Map<string, number>()
  // Open streams never finish on their own: closing ends them, so the server can close.
  app.addHook('preClose', async () => {
    live.stop()
    for (const stream of streams) stream.end()
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
    const since = resumeAt ?? await service.currentPosition(app.store)
    const client = request.ip
    const open = openByClient.get(client) ?? 0
    if (open >= options.perClient) {
      reply.header('retry-after', '10')
      throw new TooManyRequests(`This client has ${open} live streams open already; close one first`)
    }
    openByClient.set(client, open + 1)

    const stream = new PassThrough()
    streams.add(stream)
    let ended = false
    const follower: Follower = {
      after: since,
      byLabel: filter.labelKey !== null,
      accept: (changes) => {
        if (ended) return
        for (const change of changes) if (service.matches(filter, change)) stream.write(service.asEvent(change))
        if (stream.writableLength > maxUnsentBytes) end()
      }
    }
    const heartbeat = setInterval(() => { stream.write(': still here\n\n') }, options.heartbeatMs).unref()
    const end = () => {
      if (ended) return
      ended = true
      clearInterval(heartbeat)
      live.unfollow(follower)
      streams.delete(stream)
      const left = (openByClient.get(client) ?? 1) - 1
      if (left === 0) openByClient.delete(client)
      else openByClient.set(client, left)
      stream.end()
    }
    // The client went away (its connection closed before the endless answer did).
    reply.raw.once('close', end)
    stream.once('close', end)
    // How long an EventSource waits before it reconnects.
    stream.write('retry: 3000\n\n')
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-store')
      // Proxies (nginx) would buffer the stream otherwise.
      .header('x-accel-buffering', 'no')
    reply.send(stream)
    try {
      await live.follow(follower)
    } catch (error) {
      request.log.warn({ err: error }, 'could not bring a live stream up to date; ending it (the client resumes from its last event)')
      end()
    }
    // Gone while it caught up: it was never followed by the time it ended, so it is let go now.
    if (ended) live.unfollow(follower)
    return reply
  })
}

/** The position in `Last-Event-ID`, which the API sent as an event's id. */
function resumeFrom (header: string | string[] | undefined): number | null {
  if (header === undefined) return null
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) throw invalid('headers.last-event-id', 'must be the id of an event this API sent (a position in the change log)')
  return Number(value.trim())
}

export default streamRoutes
