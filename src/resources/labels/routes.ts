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
      description: 'For a label cloud or a category tree (`parentId`; `parent=` lists one label\'s children, `parent=none` the top level). Anonymous readers see only labels that published articles carry; editors see every label.',
      security: readSecurity,
      querystring: LabelListQuery,
      response: { 200: answer(LabelList, 'list', 'A page of labels'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const page = await service.list(app.store, request.query, request.principal)
    return pageBody(reply, page)
  })

  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getLabel',
      summary: 'Get a label by id or slug',
      description: 'A label\'s page: the label with its published-article count, its parent and the labels right under it. As in the list, a label no published article carries is shown only to editors (404 otherwise); so are such a parent and children (`parent` is null for readers then, though `parentId` names it).',
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
      description: 'Editors and admins: a label ready for articles to use, with a slug (derived from the name when not given; 409 when another label has it), a description and a parent. A name another label has, case aside, is a 409; so is a parent that would nest labels more than 5 levels deep. Like every label, it is deleted once the last article carrying it lets go of it, unless it has a description or labels under it.',
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
      summary: 'Change a label: its name, slug, description or parent',
      description: 'Editors and admins. Every article carrying the label shows a new name. A name another label has, case aside, is a 409: labels are not merged; so is a rename of a label on more than 2,000 articles (each is changed in the one request), a slug another label has, and a parent that is the label itself, is under it, or would nest labels more than 5 levels deep. The slug stays when the name changes. Send the `ETag` you read as `If-Match` to refuse lost updates (412).',
      security: writeSecurity,
      params: LabelParams,
      headers: IfMatchHeaders,
      body: ref(LabelPatch),
      response: { 200: answer(Label, 'single', 'The changed label'), ...problems(400, 401, 403, 404, 409, 412, 413, 415) }
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
      description: 'Editors and admins. The label is taken off every article carrying it, in the one request: 409 for a label on more than 2,000 articles. The labels right under it move up to its parent (or the top level), as WordPress does.',
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
