import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { databaseTag, knownTagIsCurrent } from '../../plugins/http-cache.js'
import { pageBody, readSecurity, serializeWith, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IfMatchHeaders, notModified, problems, ref } from '../../schemas.js'
import {
  ArticleCommentsQuery, ArticleThreadQuery, Comment, CommentList, CommentListQuery, CommentParams, CommentPatch, CommentThreadList, NewComment
} from './schemas.js'
import { ArticlePathParams } from '../articles/schemas.js'
import * as service from './service.js'

const tags = ['comments']
// The deprecated `thread=true` answers threads on the flat list's path.
const threadListSchema = ref(CommentThreadList)

// A token is a client of its own: readers sharing the newsroom's address don't use up its posts.
function clientOf (request: FastifyRequest): string {
  return request.principal?.tokenId == null ? request.ip : `token ${request.principal.tokenId}`
}

/** Readers' side, under `/v1/articles/{id}/comments`. */
export const articleCommentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/:id/comments', {
    // Readers' own comments show here: a CDN's copy would hide them for its lifetime.
    config: { caching: 'revalidate' },
    schema: {
      tags,
      operationId: 'listArticleComments',
      summary: 'List an article\'s comments',
      description: 'Approved comments, oldest first, replies included, each with its `parentId`. For replies nested under their parents, use `GET /v1/articles/{id}/comments/thread` (`thread=true` here still answers that list, but is deprecated: the answer\'s type would depend on it).',
      security: readSecurity,
      params: ArticlePathParams,
      querystring: ArticleCommentsQuery,
      response: {
        // Without the deprecated `thread=true`, which answers a CommentThreadList (its own
        // path documents that): a union here would make every client cast.
        200: answer(CommentList, 'list', 'A page of comments'),
        304: notModified,
        ...problems(400, 401, 404)
      }
    }
  }, async (request, reply) => {
    // Every cache revalidates this list, so its 304 is known before the page is built (from the same view).
    const view = await service.currentView(app.store)
    if (knownTagIsCurrent(request, reply, databaseTag(view.stamp, request))) return reply.code(304).send(null)
    const { thread, ...query } = request.query
    if (thread !== true) return pageBody(reply, await service.listForArticle(app.store, request.params.id, query, request.principal, view))
    // Only once the page is read: a problem (404) must go through the problem serializer.
    const page = await service.threadsForArticle(app.store, app.settings, request.params.id, query, request.principal, view)
    serializeWith(reply, threadListSchema)
    return pageBody(reply, page)
  })

  app.get('/:id/comments/thread', {
    config: { caching: 'revalidate' },
    schema: {
      tags,
      operationId: 'listArticleCommentThread',
      summary: 'List an article\'s comments as threads',
      description: 'Approved top-level comments, oldest first, each with its approved replies nested (`replies`), at most `DATELINE_COMMENT_DEPTH` levels (10 by default): deeper replies, from an import or from before the cap, are listed with the deepest comment\'s replies, keeping their own `parentId`. Paging counts top-level comments.',
      security: readSecurity,
      params: ArticlePathParams,
      querystring: ArticleThreadQuery,
      response: { 200: answer(CommentThreadList, 'list', 'A page of top-level comments with their replies'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const view = await service.currentView(app.store)
    if (knownTagIsCurrent(request, reply, databaseTag(view.stamp, request))) return reply.code(304).send(null)
    return pageBody(reply, await service.threadsForArticle(app.store, app.settings, request.params.id, request.query, request.principal, view))
  })

  app.post('/:id/comments', {
    config: {
      openToAnyOrigin: true,
      rateLimit: {
        max: app.settings.commentRateLimit,
        timeWindow: app.settings.rateLimitWindowMs,
        // Per client and article, whether the article is named by id or by slug.
        keyGenerator: async (request) => `${clientOf(request)} ${await service.articleKey(app.store, (request.params as { id: string }).id)}`,
        allowList: async (request) => await service.commentsUnthrottled(app.store, (request.params as { id: string }).id, request.principal)
      }
    },
    schema: {
      tags,
      operationId: 'createComment',
      summary: 'Comment on an article',
      description: 'Anyone may comment on a published article. The comment waits for moderation (`pending`) unless the site approves comments automatically. Each client may post a few comments a minute on an article (429 beyond, with `Retry-After`); editors, and an author token on its own articles, are not limited. `parentId` must be a comment of this article the poster can see; a reply to a comment already `DATELINE_COMMENT_DEPTH` levels deep (10 by default) is stored as a reply to that comment\'s parent, and the answer gives the `parentId` it got. A preview link\'s token never writes, this included (403).',
      security: readSecurity,
      params: ArticlePathParams,
      body: ref(NewComment),
      response: { 201: answer(Comment, 'created', 'The new comment'), ...problems(400, 401, 403, 404, 413, 415, 429) }
    }
  }, async (request, reply) => {
    const { comment, version } = await service.createForArticle(app.store, app.settings, request.params.id, request.body, request.principal)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/comments/${comment.id}`).send(comment)
  })
}

/** Moderation, under `/v1/comments`: editors, and author tokens for their own articles. */
export const commentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'listComments',
      summary: 'List comments for moderation',
      description: 'Every status, newest first. An author token sees comments on its own articles.',
      security: writeSecurity,
      querystring: CommentListQuery,
      response: { 200: answer(CommentList, 'list', 'A page of comments'), 304: notModified, ...problems(400, 401, 403) }
    }
  }, async (request, reply) => {
    const page = await service.listForModeration(app.store, request.query, request.principal!)
    return pageBody(reply, page)
  })

  app.get('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'getComment',
      summary: 'Get a comment',
      description: 'For moderators, in any status: editors and admins see every comment, an author token those on its own articles (404 for the rest).',
      security: writeSecurity,
      params: CommentParams,
      response: { 200: answer(Comment, 'single', 'The comment'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { comment, version } = await service.findOne(app.store, request.params.id, request.principal!)
    reply.resourceVersion = version
    return comment
  })

  app.patch('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'updateComment',
      summary: 'Moderate a comment',
      description: 'Change its `status`; editors may also edit its text. `If-Match` refuses lost updates.',
      security: writeSecurity,
      params: CommentParams,
      headers: IfMatchHeaders,
      body: ref(CommentPatch),
      response: { 200: answer(Comment, 'single', 'The changed comment'), ...problems(400, 401, 403, 404, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { comment, version } = await service.updateOne(app.store, request.params.id, request.body, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return comment
  })

  app.delete('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'deleteComment',
      summary: 'Delete a comment',
      description: 'Its replies are kept: they move up to the deleted comment\'s parent.',
      security: writeSecurity,
      params: CommentParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, request.params.id, request.principal!, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}
