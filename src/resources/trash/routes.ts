import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IdOrSlugParams, IfMatchHeaders, NoQuery, notModified, problems } from '../../schemas.js'
import { restoreFromTrash } from '../articles/service.js'
import { RestoredArticle, TrashedArticle, TrashedArticleList, TrashListQuery } from './schemas.js'
import * as service from './service.js'

const tags = ['trash']

/** Deleted articles, until they are purged: editors see them all, an author token its own. */
const trashRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireRole('author'))

  app.get('', {
    schema: {
      tags,
      operationId: 'listTrash',
      summary: 'List deleted articles',
      description: 'Most recently deleted first. Each stays `DATELINE_TRASH_DAYS` days (30 by default), until its `purgeAt`; an author token sees only its own.',
      security: writeSecurity,
      querystring: TrashListQuery,
      response: { 200: answer(TrashedArticleList, 'list', 'A page of deleted articles'), 304: notModified, ...problems(400, 401, 403) }
    }
  }, async (request, reply) => pageBody(reply, await service.list(app.store, request.principal!, request.query)))

  app.delete('', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'emptyTrash',
      summary: 'Empty the trash',
      description: 'Purges every deleted article for good, with its comments and revisions, and every deleted page (`/v1/trash/pages`) with its revisions. Editors only.',
      security: writeSecurity,
      querystring: NoQuery,
      response: { 204: deleted, ...problems(400, 401, 403) }
    }
  }, async (request, reply) => {
    await service.purgeAll(app.store, request.principal!)
    return reply.code(204).send(null)
  })

  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getTrashedArticle',
      summary: 'Get a deleted article by id or slug',
      description: 'Editors see the whole trash; an author token only its own articles (404 for the rest). An article slugged `pages` is reached here by its id: `/v1/trash/pages` lists deleted pages.',
      security: writeSecurity,
      params: IdOrSlugParams,
      response: { 200: answer(TrashedArticle, 'single', 'The deleted article, with its body'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { item, version } = await service.findOne(app.store, request.params.id, request.principal!)
    reply.resourceVersion = version
    return item
  })

  app.post('/:id/restore', {
    schema: {
      tags,
      operationId: 'restoreArticle',
      summary: 'Restore a deleted article',
      description: 'Puts it back as it was — same id, slug, status, labels, comments and revisions — with its version one up. A comment whose id an import took meanwhile comes back under a new one, listed in `renumberedComments`. `If-Match` takes the ETag of the trashed article. An author token may restore only its own drafts. An article slugged `pages` is restored by its id (`/v1/trash/pages/…` are deleted pages).',
      security: writeSecurity,
      params: IdOrSlugParams,
      headers: IfMatchHeaders,
      response: { 200: answer(RestoredArticle, 'single', 'The article, restored'), ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    const { article, version, renumberedComments } = await restoreFromTrash(app.store, app.settings, request.params.id, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return { ...article, renumberedComments }
  })

  app.delete('/:id', {
    schema: {
      tags,
      operationId: 'purgeArticle',
      summary: 'Purge a deleted article for good',
      description: 'Deletes it with its comments and revisions, and frees its slug. An author token may purge only its own drafts. An article slugged `pages` is purged by its id (`/v1/trash/pages/…` are deleted pages).',
      security: writeSecurity,
      params: IdOrSlugParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    await service.purge(app.store, request.params.id, request.principal!, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

export default trashRoutes
