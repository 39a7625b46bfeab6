import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, writeSecurity } from '../../lib/responses.js'
import { answer, IfMatchHeaders, notModified, problems } from '../../schemas.js'
import { Page, PageParams } from '../pages/schemas.js'
import { findPageForHistory, restoreRevision } from '../pages/service.js'
import { PageRevision, PageRevisionList, PageRevisionListQuery, PageRevisionParams } from './schemas.js'
import * as service from './service.js'

const tags = ['pages']

/** A page's earlier versions: for editors, who alone write pages. */
const pageRevisionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireRole('editor'))

  app.get('/:id/revisions', {
    schema: {
      tags,
      operationId: 'listPageRevisions',
      summary: 'List a page\'s earlier versions',
      description: 'Newest first: every update that changes a page keeps the version it replaced (up to `DATELINE_REVISIONS_KEPT` per page, as for articles). Editors and admins.',
      security: writeSecurity,
      params: PageParams,
      querystring: PageRevisionListQuery,
      response: { 200: answer(PageRevisionList, 'list', 'A page of revisions'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const page = await findPageForHistory(app.store, request.params.id, request.principal!)
    return pageBody(reply, await service.list(app.store, page, request.query))
  })

  app.get('/:id/revisions/:number', {
    schema: {
      tags,
      operationId: 'getPageRevision',
      summary: 'Get one earlier version of a page',
      description: 'Its title, slug, status, parent, position, excerpt and body as they were. Editors and admins.',
      security: writeSecurity,
      params: PageRevisionParams,
      response: { 200: answer(PageRevision, 'single', 'The revision, with its body'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request) => {
    const page = await findPageForHistory(app.store, request.params.id, request.principal!)
    return (await service.findOne(app.store, page, request.params.number)).revision
  })

  app.post('/:id/revisions/:number/restore', {
    schema: {
      tags,
      operationId: 'restorePageRevision',
      summary: 'Make an earlier version the page again',
      description: 'An update like a PATCH: the version it replaces is kept as a new revision, and `If-Match` refuses a lost update (412). Its slug is a 409 when another page has taken it since. A parent deleted since (or one it no longer fits under) is not restored: the page stays where it is. Editors and admins.',
      security: writeSecurity,
      params: PageRevisionParams,
      headers: IfMatchHeaders,
      response: { 200: answer(Page, 'single', 'The page, restored'), ...problems(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const { page, version } = await restoreRevision(app.store, app.settings, request.params.id, request.params.number, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return page
  })
}

export default pageRevisionsRoutes
