import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { assertRole } from '../../lib/principal.js'
import { pageBody, readSecurity, writeSecurity } from '../../lib/responses.js'
import { articlePathReader } from '../../lib/site-paths.js'
import { answer, deleted, IfMatchHeaders, notModified, problems, ref, Type } from '../../schemas.js'
import { NewRedirect, Redirect, RedirectList, RedirectMatch, RedirectParams, RedirectPatch, RedirectQuery } from './schemas.js'
import * as service from './service.js'

const tags = ['redirects']

/** Where the front end's paths have moved: a lookup for anyone, and the editors' redirects. */
const redirectsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const articlePaths = { template: app.settings.articlePath, read: articlePathReader(app.settings.articlePath) }
  const requireEditor = app.requireRole('editor')

  app.get('', {
    schema: {
      tags,
      operationId: 'listRedirects',
      summary: 'Look up a path, or list redirects',
      description: 'With `path` (anyone): where that path on the front end has moved to, as a `RedirectMatch` for the front end to answer with its `status` and `location`; 404 when it has not moved. ' +
        'A path moves by an editor\'s redirect, or because it is an article\'s path (`DATELINE_ARTICLE_PATH`) under a slug the article had before a rename. ' +
        'Redirects leading on to each other answer the end of the chain, and never a draft to a reader. ' +
        'Without `path` (editors and admins): the editors\' redirects, oldest first.',
      security: readSecurity,
      querystring: RedirectQuery,
      response: {
        200: {
          description: 'Where the path has moved (`RedirectMatch`, with `path`), or a page of redirects (`RedirectList`, without)',
          headers: { ETag: { type: 'string', description: 'The version of this representation, for `If-None-Match`' } },
          ...Type.Union([ref(RedirectMatch), ref(RedirectList)])
        },
        304: notModified,
        ...problems(400, 401, 403, 404)
      }
    }
  }, async (request, reply) => {
    const { path, ...page } = request.query
    if (path !== undefined) return await service.lookUp(app.store, path, articlePaths, request.principal)
    assertRole(request.principal, 'editor')
    return pageBody(reply, await service.pageOfRedirects(app.store, page))
  })

  app.post('', {
    preHandler: requireEditor,
    schema: {
      tags,
      operationId: 'createRedirect',
      summary: 'Create a redirect',
      description: 'Editors and admins: readers asking the front end for `from` are sent to `to`. A `from` another redirect has is a 409; a `to` leading back to `from` (itself, or through other redirects) is a 400.',
      security: writeSecurity,
      body: ref(NewRedirect),
      response: { 201: answer(Redirect, 'created', 'The new redirect'), ...problems(400, 401, 403, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { redirect, version } = await service.createOne(app.store, request.body)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/redirects/${redirect.id}`).send(redirect)
  })

  app.get('/:id', {
    preHandler: requireEditor,
    schema: {
      tags,
      operationId: 'getRedirect',
      summary: 'Get a redirect',
      description: 'Editors and admins.',
      security: writeSecurity,
      params: RedirectParams,
      response: { 200: answer(Redirect, 'single', 'The redirect'), 304: notModified, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { redirect, version } = await service.findOne(app.store, request.params.id)
    reply.resourceVersion = version
    return redirect
  })

  app.patch('/:id', {
    preHandler: requireEditor,
    schema: {
      tags,
      operationId: 'updateRedirect',
      summary: 'Change a redirect',
      description: 'Editors and admins: its `from`, `to` or `status`, under the same rules as a new one.',
      security: writeSecurity,
      params: RedirectParams,
      headers: IfMatchHeaders,
      body: ref(RedirectPatch),
      response: { 200: answer(Redirect, 'single', 'The changed redirect'), ...problems(400, 401, 403, 404, 409, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { redirect, version } = await service.updateOne(app.store, request.params.id, request.body, request.headers['if-match'])
    reply.resourceVersion = version
    return redirect
  })

  app.delete('/:id', {
    preHandler: requireEditor,
    schema: {
      tags,
      operationId: 'deleteRedirect',
      summary: 'Delete a redirect',
      description: 'Editors and admins: the path stops redirecting (unless it is an article\'s under an old slug).',
      security: writeSecurity,
      params: RedirectParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, request.params.id, request.headers['if-match'])
    return reply.code(204).send(null)
  })
}

export default redirectsRoutes
