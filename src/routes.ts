import type { FastifyInstance } from 'fastify'
import exportRoutes from './resources/export/routes.js'
import importRoutes, { type ImportRoutesOptions } from './resources/import/routes.js'
import articles from './resources/articles/routes.js'
import authors from './resources/authors/routes.js'
import batch from './resources/batch/routes.js'
import { articleCommentsRoutes, commentsRoutes } from './resources/comments/routes.js'
import { articleCorrectionsRoutes, correctionsLogRoutes } from './resources/corrections/routes.js'
import { archiveRoutes, datesRoutes } from './resources/dates/routes.js'
import feeds from './resources/feeds/routes.js'
import health from './resources/health/routes.js'
import labels from './resources/labels/routes.js'
import media from './resources/media/routes.js'
import pageRevisions from './resources/page-revisions/routes.js'
import pageTrash from './resources/page-trash/routes.js'
import pages from './resources/pages/routes.js'
import changes from './resources/changes/routes.js'
import stream, { type StreamOptions } from './resources/stream/routes.js'
import redirects from './resources/redirects/routes.js'
import previews from './resources/previews/routes.js'
import revisions from './resources/revisions/routes.js'
import root from './resources/root/routes.js'
import search from './resources/search/routes.js'
import tokens from './resources/tokens/routes.js'
import trash from './resources/trash/routes.js'
import webhooks, { type WebhookRoutesOptions } from './resources/webhooks/routes.js'

/** The route table: every resource with its prefix. */
export async function routes (app: FastifyInstance, options: ImportRoutesOptions & { stream: StreamOptions, webhooks: WebhookRoutesOptions }): Promise<void> {
  await app.register(root)
  await app.register(health)
  await app.register(authors, { prefix: '/v1/authors' })
  await app.register(articles, { prefix: '/v1/articles' })
  await app.register(articleCommentsRoutes, { prefix: '/v1/articles' })
  await app.register(revisions, { prefix: '/v1/articles' })
  await app.register(articleCorrectionsRoutes, { prefix: '/v1/articles' })
  await app.register(previews, { prefix: '/v1/articles' })
  await app.register(commentsRoutes, { prefix: '/v1/comments' })
  await app.register(correctionsLogRoutes, { prefix: '/v1/corrections' })
  await app.register(datesRoutes, { prefix: '/v1/dates' })
  await app.register(archiveRoutes, { prefix: '/v1/archive' })
  await app.register(labels, { prefix: '/v1/labels' })
  await app.register(media, { prefix: '/v1/media' })
  await app.register(pages, { prefix: '/v1/pages' })
  await app.register(pageRevisions, { prefix: '/v1/pages' })
  await app.register(redirects, { prefix: '/v1/redirects' })
  await app.register(changes, { prefix: '/v1/changes' })
  await app.register(stream, { prefix: '/v1/stream', ...options.stream })
  await app.register(search, { prefix: '/v1/search' })
  await app.register(batch, { prefix: '/v1/batch' })
  await app.register(tokens, { prefix: '/v1/tokens' })
  await app.register(trash, { prefix: '/v1/trash' })
  await app.register(pageTrash, { prefix: '/v1/trash/pages' })
  await app.register(webhooks, { prefix: '/v1/webhooks', ...options.webhooks })
  await app.register(importRoutes, { prefix: '/v1/import', importLimit: options.importLimit })
  await app.register(exportRoutes, { prefix: '/v1/export' })
  await app.register(feeds)
}
