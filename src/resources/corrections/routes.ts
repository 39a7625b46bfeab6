import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, readSecurity, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IfMatchHeaders, NoQuery, notModified, problems, ref } from '../../schemas.js'
import { ArticlePathParams } from '../articles/schemas.js'
import { Correction, CorrectionList, CorrectionLog, CorrectionLogQuery, CorrectionParams, CorrectionPatch, NewCorrection } from './schemas.js'
import * as service from './service.js'

const tags = ['corrections']

/** An article's corrections, under `/v1/articles/{id}/corrections`. */
export const articleCorrectionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/:id/corrections', {
    schema: {
      tags,
      operationId: 'listArticleCorrections',
      summary: 'List an article\'s corrections',
      description: 'Oldest first, all of them (an article carries at most 50): what a corrections box under the article shows. Whoever may read the article may read them; the article itself carries them too (`corrections`, `correctedAt`).',
      security: readSecurity,
      params: ArticlePathParams,
      querystring: NoQuery,
      response: { 200: answer(CorrectionList, 'list', 'The article\'s corrections'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => pageBody(reply, await service.listOfArticle(app.store, request.params.id, request.principal)))

  app.get('/:id/corrections/:correctionId', {
    schema: {
      tags,
      operationId: 'getArticleCorrection',
      summary: 'Get one of an article\'s corrections',
      description: 'Whoever may read the article may read its corrections; 404 for a correction of another article.',
      security: readSecurity,
      params: CorrectionParams,
      response: { 200: answer(Correction, 'single', 'The correction'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const { correction, version } = await service.findOne(app.store, request.params.id, request.params.correctionId, request.principal)
    reply.resourceVersion = version
    return correction
  })

  app.post('/:id/corrections', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'createArticleCorrection',
      summary: 'Correct an article in public',
      description: 'Adds a timestamped note to the article\'s corrections (edit the article\'s text itself with `PATCH /v1/articles/{id}`). Whoever may change the article may: editors and admins any, an author token its own drafts. A draft may carry corrections: readers see them once it is published. `correctedAt` is now unless given, never in the future. The article\'s ETag changes, its `updatedAt` does not. At most 50 corrections an article (409 beyond).',
      security: writeSecurity,
      params: ArticlePathParams,
      body: ref(NewCorrection),
      response: { 201: answer(Correction, 'created', 'The new correction'), ...problems(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { correction, version } = await service.createOne(app.store, request.params.id, request.body, request.principal!)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/articles/${correction.articleId}/corrections/${correction.id}`).send(correction)
  })

  app.patch('/:id/corrections/:correctionId', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'updateArticleCorrection',
      summary: 'Fix a correction\'s note or time',
      description: 'For a typo in the note, or a wrong time; the same rights as adding one. Send the `ETag` you read as `If-Match` to refuse lost updates (412).',
      security: writeSecurity,
      params: CorrectionParams,
      headers: IfMatchHeaders,
      body: ref(CorrectionPatch),
      response: { 200: answer(Correction, 'single', 'The changed correction'), ...problems(400, 401, 403, 404, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { correction, version } = await service.updateOne(app.store, request.params.id, request.params.correctionId, request.body, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return correction
  })

  app.delete('/:id/corrections/:correctionId', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'deleteArticleCorrection',
      summary: 'Delete a correction',
      description: 'For one filed by mistake; the same rights as adding one. A correction readers have seen is better amended than deleted.',
      security: writeSecurity,
      params: CorrectionParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, request.params.id, request.params.correctionId, request.principal!, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

/** The site-wide log, under `/v1/corrections`. */
export const correctionsLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags,
      operationId: 'listCorrections',
      summary: 'List every correction, newest first',
      description: 'The site\'s corrections page: each correction with the article it is of (`id`, `slug`, `title`). Readers see corrections of published articles; an author token also those of its own drafts; editors every one. Also as an Atom feed, `/corrections.atom`.',
      security: readSecurity,
      querystring: CorrectionLogQuery,
      response: { 200: answer(CorrectionLog, 'list', 'A page of corrections'), 304: notModified, ...problems(400, 401) }
    }
  }, async (request, reply) => pageBody(reply, await service.log(app.store, request.query, request.principal)))
}
