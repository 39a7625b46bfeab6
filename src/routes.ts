import type { FastifyInstance } from 'fastify'
import articles from './resources/articles/routes.js'
import authors from './resources/authors/routes.js'
import health from './resources/health/routes.js'

/** The route table: every resource with its prefix. */
export async function routes (app: FastifyInstance): Promise<void> {
  await app.register(health)
  await app.register(authors, { prefix: '/v1/authors' })
  await app.register(articles, { prefix: '/v1/articles' })
}
