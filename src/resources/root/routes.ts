import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { readSecurity } from '../../lib/responses.js'
import { NoQuery, problems } from '../../schemas.js'
import { ApiIndex, ServerIndex, type ApiIndexBody, type ServerIndexBody } from './schemas.js'

const tags = ['root']

const apiLinks: ApiIndexBody['links'] = {
  articles: '/v1/articles',
  dates: '/v1/dates',
  archive: '/v1/archive',
  authors: '/v1/authors',
  labels: '/v1/labels',
  pages: '/v1/pages',
  comments: '/v1/comments',
  corrections: '/v1/corrections',
  searchSuggestions: '/v1/search/suggest',
  tokens: '/v1/tokens',
  trash: '/v1/trash',
  import: '/v1/import',
  export: '/v1/export',
  docs: '/docs'
}

const rootPlugin: FastifyPluginAsyncTypebox = async (app) => {
  // Paths, not absolute URLs: right behind any proxy, whatever Host the request named.
  const index: ServerIndexBody = {
    name: app.settings.siteTitle,
    links: {
      api: '/v1',
      docs: '/docs',
      openapiJson: '/openapi.json',
      openapiYaml: '/openapi.yaml',
      health: '/healthz',
      readiness: '/readyz',
      atom: '/feed.atom',
      rss: '/feed.rss',
      jsonFeed: '/feed.json',
      correctionsAtom: '/corrections.atom',
      sitemap: '/sitemap.xml'
    }
  }

  app.get('/', {
    schema: {
      tags,
      operationId: 'getServerIndex',
      summary: 'Where things are on this server',
      description: 'Links to the interactive docs, the OpenAPI document, the API root, the probes and the feeds.',
      security: readSecurity,
      querystring: NoQuery,
      response: { 200: ServerIndex, ...problems(400, 401) }
    }
  }, async () => index)

  app.get('/v1', {
    schema: {
      tags,
      operationId: 'getApiIndex',
      summary: 'The API\'s collections',
      description: 'Links to every collection of the API.',
      security: readSecurity,
      querystring: NoQuery,
      response: { 200: ApiIndex, ...problems(400, 401) }
    }
  }, async () => ({ links: apiLinks }))
}

export default rootPlugin
