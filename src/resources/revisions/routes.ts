import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, writeSecurity } from '../../lib/responses.js'
import { answer, IfMatchHeaders, notModified, problems } from '../../schemas.js'
import { Article, ArticlePathParams } from '../articles/schemas.js'
import { findVisibleArticle, restoreRevision } from '../articles/service.js'
import { Revision, RevisionList, RevisionListQuery, RevisionParams } from './schemas.js'
import * as service from './service.js'

const tags = ['articles']

/** An article's earlier versions: for editors and the authors on its byline. */
const revisionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireRole('author'))

  app.get('/:id/revisions', {
    schema: {
      tags,
      operationId: 'listArticleRevisions',
      summary: 'List an article\'s earlier versions',
      description: 'Newest first: every update keeps the version it replaced (up to `DATELINE_REVISIONS_KEPT` per article). Editors, and the authors on its byline.',
      security: writeSecurity,
      params: ArticlePathParams,
      querystring: RevisionListQuery,
      response: { 200: answer(RevisionList, 'list', 'A page of revisions'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const article = await findVisibleArticle(app.store, request.params.id, request.principal)
    await service.assertMayReadHistory(app.store, request.principal!, article)
    return pageBody(reply, await service.list(app.store, article, request.query))
  })

  app.get('/:id/revisions/:number', {
    schema: {
      tags,
      operationId: 'getArticleRevision',
      summary: 'Get one earlier version of an article',
      description: 'Editors and the authors on the article\'s byline only.',
      security: writeSecurity,
      params: RevisionParams,
      response: { 200: answer(Revision, 'single', 'The revision, with its body'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request) => {
    const article = await findVisibleArticle(app.store, request.params.id, request.principal)
    await service.assertMayReadHistory(app.store, request.principal!, article)
    return await service.findOne(app.store, article, request.params.number)
  })

  app.post('/:id/revisions/:number/restore', {
    schema: {
      tags,
      operationId: 'restoreArticleRevision',
      summary: 'Make an earlier version the article again',
      description: 'An update like a PATCH: the version it replaces is kept as a new revision, `If-Match` refuses a lost update (412), and an author token may restore only the drafts on its byline (a co-author\'s restore leaves the byline as it is).',
      security: writeSecurity,
      params: RevisionParams,
      headers: IfMatchHeaders,
      response: { 200: answer(Article, 'single', 'The article, restored'), ...problems(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    const { article, version } = await restoreRevision(app.store, app.settings, request.params.id, request.params.number, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return article
  })
}

export default revisionsRoutes
