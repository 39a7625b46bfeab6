import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { NotFound } from '../../errors.js'
import { pageBody, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, notModified, problems, ref } from '../../schemas.js'
import { ArticlePathParams } from '../articles/schemas.js'
import { CreatedPreview, NewPreview, Preview, PreviewList, PreviewParams, type NewPreviewBody } from './schemas.js'
import * as service from './service.js'

const tags = ['articles']

/** Preview links (issue 22): a front end shows a draft with one, before it is published. */
const previewsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireRole('author'))

  app.post('/:id/preview', {
    config: { secretInAnswer: true },
    schema: {
      tags,
      operationId: 'createArticlePreview',
      summary: 'Make a preview link of an article',
      description: 'A token that reads this one article, whatever its status (a draft, a scheduled article), with `GET /v1/articles/{id}` (by id or by its slug now) until it expires or is revoked: ' +
        'the front end sends it as `Authorization: Bearer <token>`. Anywhere else the token reads as an anonymous reader, and it never writes (403). ' +
        'Whoever may change the article may make one: editors, and an author token for its own drafts. The token is in this answer only (its hash is stored); ' +
        'retried with the same `Idempotency-Key`, the answer is a 409 `secret-shown-once` problem, never the token again. Deleting the article ends its links.',
      security: writeSecurity,
      params: ArticlePathParams,
      // Under `content`, so a request without a body (no media type) passes and takes the defaults.
      body: { content: { 'application/json': { schema: ref(NewPreview) } } },
      'x-optional-body': true,
      response: { 201: answer(CreatedPreview, 'created', 'The new preview link, with its token'), ...problems(400, 401, 403, 404, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { preview, token } = await service.createOne(app.store, request.params.id, (request.body as NewPreviewBody | undefined) ?? {}, request.principal!)
    // The token must not sit in a cache anywhere.
    reply.header('cache-control', 'no-store')
    return reply.code(201).header('location', `/v1/articles/${preview.articleId}/previews/${preview.id}`).send({ ...preview, token })
  })

  app.get('/:id/previews', {
    schema: {
      tags,
      operationId: 'listArticlePreviews',
      summary: 'List an article\'s preview links',
      description: 'The links that still work, oldest first, without their tokens. Editors, and the authors on the article\'s byline.',
      security: writeSecurity,
      params: ArticlePathParams,
      response: { 200: answer(PreviewList, 'list', 'The article\'s live preview links'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => pageBody(reply, await service.list(app.store, request.params.id, request.principal!)))

  // Where a new link's `Location` points.
  app.get('/:id/previews/:previewId', {
    schema: {
      tags,
      operationId: 'getArticlePreview',
      summary: 'Get one of an article\'s preview links',
      description: 'When it was made, by whom, and when it expires; never its token. An expired or revoked link is a 404. Editors, and the authors on the article\'s byline.',
      security: writeSecurity,
      params: PreviewParams,
      response: { 200: answer(Preview, 'single', 'The preview link'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request) => {
    const preview = await service.findOne(app.store, request.params.id, request.params.previewId, request.principal!)
    if (preview === null) throw new NotFound(`The article has no live preview link ${request.params.previewId}`)
    return preview
  })

  app.delete('/:id/previews/:previewId', {
    schema: {
      tags,
      operationId: 'revokeArticlePreview',
      summary: 'Revoke a preview link',
      description: 'Its token stops working at once. Editors, and the authors on the article\'s byline.',
      security: writeSecurity,
      params: PreviewParams,
      response: { 204: deleted, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    if (!(await service.revokeOne(app.store, request.params.id, request.params.previewId, request.principal!))) {
      throw new NotFound(`The article has no preview link ${request.params.previewId}`)
    }
    return reply.code(204).send(null)
  })
}

export default previewsRoutes
