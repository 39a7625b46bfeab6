import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, readSecurity } from '../../lib/responses.js'
import { answer, notModified, problems } from '../../schemas.js'
import { LabelList, LabelListQuery } from './schemas.js'
import * as service from './service.js'

const labelsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags: ['labels'],
      operationId: 'listLabels',
      summary: 'List labels with their article counts',
      description: 'For a label cloud. Anonymous readers see only labels that published articles carry; editors see every label.',
      security: readSecurity,
      querystring: LabelListQuery,
      response: { 200: answer(LabelList, 'list', 'A page of labels'), 304: notModified, ...problems(400, 401) }
    }
  }, async (request, reply) => {
    const page = await service.list(app.store, request.query, request.principal)
    return pageBody(reply, page)
  })
}

export default labelsRoutes
