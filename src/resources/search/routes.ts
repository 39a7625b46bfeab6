import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { readSecurity } from '../../lib/responses.js'
import { searchRateLimit } from '../../plugins/rate-limit.js'
import { answer, notModified, problems } from '../../schemas.js'
import { SuggestionList, SuggestQuery } from '../articles/schemas.js'

const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/suggest', {
    config: { rateLimit: searchRateLimit(app) },
    schema: {
      tags: ['search'],
      operationId: 'suggestTitles',
      summary: 'Complete a search box',
      description: 'Up to 10 titles of published articles matching what has been typed, the last word as a prefix. Full search is `GET /v1/articles?q=`. Limited per client, `DATELINE_SEARCH_RATE_LIMIT` a minute (429 beyond, with `Retry-After`).',
      security: readSecurity,
      querystring: SuggestQuery,
      response: { 200: answer(SuggestionList, 'single', 'Titles, best match first'), 304: notModified, ...problems(400, 401, 429) }
    }
  }, async (request) => ({ data: await app.heavyReads.run('suggestTitles', { typed: request.query.q }) }))
}

export default searchRoutes
