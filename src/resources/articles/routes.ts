import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseNames } from '../../lib/list.js'
import { answer, deleted, IfMatchHeaders, notModified, problems, ref, sparseAnswer } from '../../schemas.js'
import { listResponse, pageBody, readSecurity, singleResponse, writeSecurity } from '../../lib/responses.js'
import { databaseTag, knownTagIsCurrent } from '../../plugins/http-cache.js'
import { searchRateLimit } from '../../plugins/rate-limit.js'
import { similarCandidates } from '../../search/query.js'
import {
  ArticlePathParams, ArticleSummaryList, RelatedQuery, Article, ArticleFields, ArticleList, ArticleListFields, ArticleListQuery, ArticlePatch, ArticleQuery, movedArticle, NewArticle, PartialArticle, PartialArticleList,
  articleFields, articleIncludes
} from './schemas.js'
import * as service from './service.js'

const tags = ['articles']
// Kept whatever `fields` says: embedded resources, and a search hit's passage.
const listEmbeds = [...articleIncludes, 'snippet']

const articlesPlugin: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    config: { rateLimit: searchRateLimit(app, (request) => (request.query as { q?: unknown }).q === undefined) },
    schema: {
      tags,
      operationId: 'listArticles',
      summary: 'List articles',
      description: 'Published articles, newest first. Editors see every status; an author token also sees its own drafts. Searches (with `q`) are limited per client, `DATELINE_SEARCH_RATE_LIMIT` a minute (429 beyond, with `Retry-After`).',
      security: readSecurity,
      querystring: ArticleListQuery,
      response: { 200: sparseAnswer(ArticleList, ArticleListFields, 'list', 'A page of articles'), 304: notModified, ...problems(400, 401, 429) }
    }
  }, async (request, reply) => {
    const fields = parseNames(request.query.fields, articleFields, 'fields')
    // The list's ETag and the list itself follow from one view of the database.
    const view = await service.currentView(app.store)
    if (knownTagIsCurrent(request, reply, databaseTag(view.stamp, request))) return reply.code(304).send(null)
    const page = request.query.q === undefined
      ? await service.list(app.store, request.query, request.principal, view)
      : await app.heavyReads.run('searchArticles', { query: request.query, viewer: request.principal, view, rankedMatchLimit: app.settings.rankedMatchLimit })
    return listResponse(reply, page, { fields, embeds: listEmbeds, partialSchema: PartialArticleList })
  })

  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getArticle',
      summary: 'Get an article by id or slug',
      description: 'Anonymous readers see published articles only; anything else answers 404, as if it did not exist. Editors see every article, an author token also its own drafts. ' +
        'A preview link\'s token (`POST /v1/articles/{id}/preview`) reads its one article whatever its status, by id or its slug now, answered `Cache-Control: private, no-store`. ' +
        'A slug the article had before a rename answers 301 to its slug now (to whoever may see it), so shared links keep working.',
      security: readSecurity,
      params: ArticlePathParams,
      querystring: ArticleQuery,
      response: { 200: sparseAnswer(Article, ArticleFields, 'single', 'The article'), 301: movedArticle, 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const fields = parseNames(request.query.fields, articleFields, 'fields')
    const found = await service.read(app.store, request.params.id, request.principal, request.query, fields, request.preview?.articleId ?? null)
    if ('movedTo' in found) {
      const query = request.url.indexOf('?')
      return reply.code(301).header('location', `/v1/articles/${encodeURIComponent(found.movedTo)}${query === -1 ? '' : request.url.slice(query)}`).send({ slug: found.movedTo })
    }
    reply.resourceVersion = found.version
    if (found.etag !== null && knownTagIsCurrent(request, reply, found.etag)) return reply.code(304).send(null)
    return singleResponse(reply, await found.build(), { fields, embeds: articleIncludes, partialSchema: PartialArticle })
  })

  app.get('/:id/related', {
    schema: {
      tags,
      operationId: 'listRelatedArticles',
      summary: 'Articles like this one',
      description: `Published articles ranked by shared labels, then by similar words among the ${similarCandidates.toLocaleString('en-US')} articles sharing a word written nearest before it and as many after it; never the article itself.`,
      security: readSecurity,
      params: ArticlePathParams,
      querystring: RelatedQuery,
      response: { 200: answer(ArticleSummaryList, 'list', 'Related articles, closest first'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => pageBody(reply, await app.heavyReads.run('relatedArticles', {
    idOrSlug: request.params.id, viewer: request.principal, limit: request.query.limit ?? 5, similarCandidates: app.settings.similarCandidates
  })))

  app.post('', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'createArticle',
      summary: 'Create an article',
      description: 'Give `body` (HTML) or `markdown`; both are sanitised. An author token creates drafts for its own author.',
      security: writeSecurity,
      body: ref(NewArticle),
      response: { 201: answer(Article, 'created', 'The new article'), ...problems(400, 401, 403, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { article, version } = await service.createOne(app.store, app.settings, request.body, request.principal!)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/articles/${article.id}`).send(article)
  })

  app.patch('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'updateArticle',
      summary: 'Change an article',
      description: 'Only the fields given change. Send the `ETag` you read as `If-Match` to refuse lost updates (412).',
      security: writeSecurity,
      params: ArticlePathParams,
      headers: IfMatchHeaders,
      body: ref(ArticlePatch),
      response: { 200: answer(Article, 'single', 'The changed article'), ...problems(400, 401, 403, 404, 409, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { article, version } = await service.updateOne(app.store, app.settings, request.params.id, request.body, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return article
  })

  app.delete('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'deleteArticle',
      summary: 'Delete an article (to the trash)',
      description: 'Moves the article, with its labels, comments and revisions, to the trash for `DATELINE_TRASH_DAYS` days (30 by default): it answers 404 everywhere at once, keeps its slug reserved, and can be restored from `/v1/trash` until it is purged. With `DATELINE_TRASH_DAYS=0` it is deleted for good.',
      security: writeSecurity,
      params: ArticlePathParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, app.settings, request.params.id, request.principal!, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

export default articlesPlugin
