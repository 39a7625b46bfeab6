import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, readSecurity, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IfMatchHeaders, notModified, problems, ref } from '../../schemas.js'
import { Label, LabelList, LabelListQuery, LabelParams, LabelPatch, NewLabel } from './schemas.js'
import * as service from './service.js'

const tags = ['labels']

const labelsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags,
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

  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getLabel',
      summary: 'Get a label',
      description: 'A label and its published-article count. As in the list, a label no published article carries is shown only to editors (404 otherwise).',
      security: readSecurity,
      params: LabelParams,
      response: { 200: answer(Label, 'single', 'The label'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const { label, version } = await service.findOne(app.store, request.params.id, request.principal)
    reply.resourceVersion = version
    return label
  })

  app.post('', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'createLabel',
      summary: 'Create a label',
      description: 'Editors and admins: a label ready for articles to use. A name another label has, case aside, is a 409. Like every label, it is deleted once the last article carrying it lets go of it.',
      security: writeSecurity,
      body: ref(NewLabel),
      response: { 201: answer(Label, 'created', 'The new label'), ...problems(400, 401, 403, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { label, version } = await service.createOne(app.store, request.body)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/labels/${label.id}`).send(label)
  })

  app.patch('/:id', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'updateLabel',
      summary: 'Rename a label',
      description: 'Editors and admins. Every article carrying the label shows the new name. A name another label has, case aside, is a 409: labels are not merged; so is a label on more than 2,000 articles (each is changed in the one request). Send the `ETag` you read as `If-Match` to refuse lost updates (412).',
      security: writeSecurity,
      params: LabelParams,
      headers: IfMatchHeaders,
      body: ref(LabelPatch),
      response: { 200: answer(Label, 'single', 'The renamed label'), ...problems(400, 401, 403, 404, 409, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { label, version } = await service.updateOne(app.store, request.params.id, request.body, request.headers['if-match'])
    reply.resourceVersion = version
    return label
  })

  app.delete('/:id', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'deleteLabel',
      summary: 'Delete a label',
      description: 'Editors and admins. The label is taken off every article carrying it, in the one request: 409 for a label on more than 2,000 articles.',
      security: writeSecurity,
      params: LabelParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, request.params.id, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

export default labelsRoutes
