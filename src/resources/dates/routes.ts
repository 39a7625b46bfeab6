import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, readSecurity, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IfMatchHeaders, NoQuery, notModified, problems, ref } from '../../schemas.js'
import { Archive, Day, DayList, DayListQuery, DayParams, DayPatch, NewDay } from './schemas.js'
import * as service from './service.js'

const tags = ['dates']

export const datesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags,
      operationId: 'listDates',
      summary: 'List the blog\'s days',
      description: 'Days with published articles or an editor\'s note, newest first.',
      security: readSecurity,
      querystring: DayListQuery,
      response: { 200: answer(DayList, 'list', 'A page of days'), 304: notModified, ...problems(400, 401) }
    }
  }, async (request, reply) => {
    const page = await app.heavyReads.run('listDays', { locale: app.settings.locale, query: request.query, viewer: request.principal })
    return pageBody(reply, page)
  })

  app.get('/:date', {
    schema: {
      tags,
      operationId: 'getDate',
      summary: 'Get a day with its articles',
      description: 'The day header and its published articles, newest first, each with its author and `commentCount`.',
      security: readSecurity,
      params: DayParams,
      response: { 200: answer(Day, 'single', 'The day'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    // In the server's thread: a day holds few articles, and a read worker's round trip cost
    // the day page 40 % of its throughput at 10 k articles (bench/http.mjs, the "date" scenario).
    const { day, version } = await service.findOne(app.store, app.settings, request.params.date, request.principal)
    reply.resourceVersion = version
    return day
  })

  app.post('', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'createDate',
      summary: 'Create a day',
      description: 'For a day that needs a note before (or without) articles. 409 when the day exists.',
      security: writeSecurity,
      body: ref(NewDay),
      response: { 201: answer(Day, 'created', 'The new day'), ...problems(400, 401, 403, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { day, version } = await service.createOne(app.store, app.settings, request.body, request.principal!)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/dates/${day.date}`).send(day)
  })

  app.patch('/:date', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'updateDate',
      summary: 'Change a day\'s note',
      description: 'Editors and admins. Send the `ETag` you read as `If-Match` to refuse lost updates (412).',
      security: writeSecurity,
      params: DayParams,
      headers: IfMatchHeaders,
      body: ref(DayPatch),
      response: { 200: answer(Day, 'single', 'The changed day'), ...problems(400, 401, 403, 404, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { day, version } = await service.updateOne(app.store, app.settings, request.params.date, request.body, request.principal!, request.headers['if-match'])
    reply.resourceVersion = version
    return day
  })

  app.delete('/:date', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'deleteDate',
      summary: 'Delete a day',
      description: 'Only a day without published articles: 409 otherwise.',
      security: writeSecurity,
      params: DayParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, request.params.date, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

export const archiveRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags,
      operationId: 'getArchive',
      summary: 'The archive tree',
      description: 'Published articles counted by year and month, newest first, for a Blogger-style sidebar.',
      security: readSecurity,
      querystring: NoQuery,
      response: { 200: answer(Archive, 'single', 'The archive'), 304: notModified, ...problems(400, 401) }
    }
  }, async () => await app.heavyReads.run('archive', {}))
}
