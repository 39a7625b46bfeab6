import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { databaseTag, knownTagIsCurrent } from '../../plugins/http-cache.js'
import { readSecurity } from '../../lib/responses.js'
import { answer, notModified, problems } from '../../schemas.js'
import { currentView } from '../articles/service.js'
import { ChangeList, ChangeListQuery } from './schemas.js'
import * as service from './service.js'

const changesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags: ['changes'],
      operationId: 'listChanges',
      summary: 'Follow what changed, in order',
      description: 'The change log: every change to articles, comments, authors and day notes, oldest first, from `since` on. Keep `meta.nextSince` and ask again with it; a mirror applies `created` and `updated` by reading the resource and deletes its copy on `removed`. Without a token, only changes to what a reader can see (approved comments on visible articles, an author\'s public fields), as creations, updates and removals. A `since` older than the log keeps (`DATELINE_CHANGES_RETENTION_DAYS`) answers 410: read the lists again, then follow from `meta.head`.',
      security: readSecurity,
      querystring: ChangeListQuery,
      response: { 200: answer(ChangeList, 'list', 'Changes after `since`'), 304: notModified, ...problems(400, 401, 410) }
    }
  }, async (request, reply) => {
    // Publishing what came due writes its entries first; the ETag then follows the log's state.
    const view = await currentView(app.store)
    if (knownTagIsCurrent(request, reply, databaseTag(view.stamp, request))) return reply.code(304).send(null)
    const page = await service.list(app.store, request.query, request.principal)
    const next = new URL(request.url, 'http://x')
    next.searchParams.set('since', String(page.nextSince))
    if (page.nextSince < page.head) reply.header('link', `<${next.pathname}${next.search}>; rel="next"`)
    return { data: page.items, meta: { since: page.since, nextSince: page.nextSince, head: page.head, limit: page.limit } }
  })
}

export default changesRoutes
