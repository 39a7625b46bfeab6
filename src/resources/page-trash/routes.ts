import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IdOrSlugParams, IfMatchHeaders, notModified, problems } from '../../schemas.js'
import { Page } from '../pages/schemas.js'
import { restoreFromTrash } from '../pages/service.js'
import { TrashedPage, TrashedPageList, TrashedPageListQuery } from './schemas.js'
import * as service from './service.js'

const tags = ['trash']

// `/v1/trash/{id}` takes an article's id or slug: this static `pages` segment wins over it, so
// an article slugged "pages" is reached in the trash by its id.
const staticSegment = 'An article slugged `pages` is reached in the trash by its id: `/v1/trash/pages…` is this route.'

/** Deleted pages, until they are purged: editors only, as only editors write pages. */
const pageTrashRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireRole('editor'))

  app.get('', {
    schema: {
      tags,
      operationId: 'listTrashedPages',
      summary: 'List deleted pages',
      description: `Most recently deleted first. Each stays \`DATELINE_TRASH_DAYS\` days (30 by default), until its \`purgeAt\`. Editors and admins. ${staticSegment}`,
      security: writeSecurity,
      querystring: TrashedPageListQuery,
      response: { 200: answer(TrashedPageList, 'list', 'A page of deleted pages'), 304: notModified, ...problems(400, 401, 403) }
    }
  }, async (request, reply) => pageBody(reply, await service.list(app.store, request.query)))

  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getTrashedPage',
      summary: 'Get a deleted page by id or slug',
      description: `With its body, as it will come back. Editors and admins. ${staticSegment}`,
      security: writeSecurity,
      params: IdOrSlugParams,
      response: { 200: answer(TrashedPage, 'single', 'The deleted page, with its body'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { item, version } = await service.findOne(app.store, request.params.id)
    reply.resourceVersion = version
    return item
  })

  app.post('/:id/restore', {
    schema: {
      tags,
      operationId: 'restorePage',
      summary: 'Restore a deleted page',
      description: `Puts it back as it was — same id, slug, status, position, body and revisions — with its version one up, under its old parent if that page is still there (else at the top level). The pages that were under it stay where its delete moved them. \`If-Match\` takes the ETag of the trashed page. Editors and admins. ${staticSegment}`,
      security: writeSecurity,
      params: IdOrSlugParams,
      headers: IfMatchHeaders,
      response: { 200: answer(Page, 'single', 'The page, restored'), ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    const { page, version } = await restoreFromTrash(app.store, request.params.id, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return page
  })

  app.delete('/:id', {
    schema: {
      tags,
      operationId: 'purgePage',
      summary: 'Purge a deleted page for good',
      description: `Deletes it with its revisions, and frees its slug. Editors and admins. ${staticSegment}`,
      security: writeSecurity,
      params: IdOrSlugParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    await service.purge(app.store, request.params.id, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

export default pageTrashRoutes
