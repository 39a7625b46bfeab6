import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseNames } from '../../lib/list.js'
import { listResponse, readSecurity, singleResponse, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IfMatchHeaders, notModified, problems, ref, sparseAnswer } from '../../schemas.js'
import {
  Author, AuthorDeleteQuery, AuthorPathParams, AuthorFields, AuthorList, AuthorListFields, AuthorListQuery, AuthorPatch, AuthorQuery, NewAuthor,
  PartialAuthor, PartialAuthorList, authorFields, authorIncludes
} from './schemas.js'
import * as service from './service.js'

const tags = ['authors']

const authorsPlugin: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags,
      operationId: 'listAuthors',
      summary: 'List authors',
      description: 'By name unless `sort` says otherwise. Anyone may read the public profiles; `email` is shown only to editors, admins and the author.',
      security: readSecurity,
      querystring: AuthorListQuery,
      response: { 200: sparseAnswer(AuthorList, AuthorListFields, 'list', 'A page of authors'), 304: notModified, ...problems(400, 401) }
    }
  }, async (request, reply) => {
    const fields = parseNames(request.query.fields, authorFields, 'fields')
    const page = await service.list(app.store, request.query, request.principal)
    return listResponse(reply, page, { fields, embeds: authorIncludes, partialSchema: PartialAuthorList })
  })

  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getAuthor',
      summary: 'Get an author by id or slug',
      description: 'The public profile; `email` only for editors, admins and the author. `include=articles` adds the latest published articles.',
      security: readSecurity,
      params: AuthorPathParams,
      querystring: AuthorQuery,
      response: { 200: sparseAnswer(Author, AuthorFields, 'single', 'The author'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const fields = parseNames(request.query.fields, authorFields, 'fields')
    const include = service.parseAuthorInclude(request.query.include)
    const { author, version } = await service.findOne(app.store, request.params.id, request.principal, { include })
    reply.resourceVersion = version
    return singleResponse(reply, author, { fields, embeds: authorIncludes, partialSchema: PartialAuthor })
  })

  app.post('', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'createAuthor',
      summary: 'Create an author',
      description: 'Editors and admins. Without a `slug` one is made from the name; a `slug` already taken is a 409.',
      security: writeSecurity,
      body: ref(NewAuthor),
      response: { 201: answer(Author, 'created', 'The new author'), ...problems(400, 401, 403, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { author, version } = await service.createOne(app.store, request.body, request.principal)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/authors/${author.id}`).send(author)
  })

  app.patch('/:id', {
    preHandler: app.requireRole('author'),
    schema: {
      tags,
      operationId: 'updateAuthor',
      summary: 'Change an author',
      description: 'Editors change any author; an author token changes its own profile.',
      security: writeSecurity,
      params: AuthorPathParams,
      headers: IfMatchHeaders,
      body: ref(AuthorPatch),
      response: { 200: answer(Author, 'single', 'The changed author'), ...problems(400, 401, 403, 404, 409, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { author, version } = await service.updateOne(app.store, request.params.id, request.body, request.principal, request.headers['if-match'])
    reply.resourceVersion = version
    return author
  })

  app.delete('/:id', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'deleteAuthor',
      summary: 'Delete an author',
      description: 'Refused with 409 while the author has articles, unless `reassignTo` names who takes them over.',
      security: writeSecurity,
      params: AuthorPathParams,
      querystring: AuthorDeleteQuery,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, request.params.id, request.query.reassignTo, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

export default authorsPlugin
