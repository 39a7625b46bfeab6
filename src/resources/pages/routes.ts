import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pageBody, readSecurity, writeSecurity } from '../../lib/responses.js'
import { answer, deleted, IfMatchHeaders, notModified, problems, ref } from '../../schemas.js'
import { maxPageDepth, NewPage, Page, PageList, PageListQuery, PageParams, PagePatch } from './schemas.js'
import * as service from './service.js'

const tags = ['pages']

const pagesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('', {
    schema: {
      tags,
      operationId: 'listPages',
      summary: 'List static pages in menu order',
      description: 'About, contact, masthead: in tree order, the top level first, then each parent\'s pages by `position` and title (`parent=` lists one page\'s children, `parent=none` the top level). Readers see published pages; editors drafts too.',
      security: readSecurity,
      querystring: PageListQuery,
      response: { 200: answer(PageList, 'list', 'A page of pages'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const page = await service.list(app.store, request.query, request.principal)
    return pageBody(reply, page)
  })

  app.get('/:id', {
    schema: {
      tags,
      operationId: 'getPage',
      summary: 'Get a page by id or slug',
      description: 'The page with its body, its parent and the pages right under it, in order. A draft is a 404 for readers without an editor\'s token; so is a draft parent (`parent` null) or child (left out).',
      security: readSecurity,
      params: PageParams,
      response: { 200: answer(Page, 'single', 'The page'), 304: notModified, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const { page, version } = await service.findOne(app.store, request.params.id, request.principal)
    reply.resourceVersion = version
    return page
  })

  app.post('', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'createPage',
      summary: 'Create a page',
      description: `Editors and admins. \`body\` (HTML, sanitised) or \`markdown\`; a slug derived from the title when not given (409 when another page has it); a parent (400 when there is no such page; 409 past ${maxPageDepth} levels) and a \`position\` among its siblings. A draft unless \`status\` says \`published\`.`,
      security: writeSecurity,
      body: ref(NewPage),
      response: { 201: answer(Page, 'created', 'The new page'), ...problems(400, 401, 403, 409, 413, 415) }
    }
  }, async (request, reply) => {
    const { page, version } = await service.createOne(app.store, request.body, request.principal!)
    reply.resourceVersion = version
    return reply.code(201).header('location', `/v1/pages/${page.id}`).send(page)
  })

  app.patch('/:id', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'updatePage',
      summary: 'Change a page',
      description: `Editors and admins: its title, slug, body, excerpt, status, parent or position; the version it replaces is kept as a revision (\`GET /v1/pages/{id}/revisions\`). A slug another page has (or a deleted page in the trash keeps) is a 409; so is a parent that is the page itself, is under it, or would nest pages more than ${maxPageDepth} levels deep. The slug stays when the title changes. Send the \`ETag\` you read as \`If-Match\` to refuse lost updates (412).`,
      security: writeSecurity,
      params: PageParams,
      headers: IfMatchHeaders,
      body: ref(PagePatch),
      response: { 200: answer(Page, 'single', 'The changed page'), ...problems(400, 401, 403, 404, 409, 412, 413, 415) }
    }
  }, async (request, reply) => {
    const { page, version } = await service.updateOne(app.store, app.settings, request.params.id, request.body, request.headers['if-match'], request.principal!)
    reply.resourceVersion = version
    return page
  })

  app.delete('/:id', {
    preHandler: app.requireRole('editor'),
    schema: {
      tags,
      operationId: 'deletePage',
      summary: 'Move a page to the trash',
      description: `Editors and admins. Like an article, it goes to the trash (\`GET /v1/trash/pages\`) with its revisions for \`DATELINE_TRASH_DAYS\` days, its slug kept for it; with that setting 0 it is deleted for good. The pages right under it move up to its parent (or the top level), as WordPress does, and stay there if it is restored; 409 for a page with more than ${service.maxChildrenMoved} under it.`,
      security: writeSecurity,
      params: PageParams,
      headers: IfMatchHeaders,
      response: { 204: deleted, ...problems(400, 401, 403, 404, 409, 412) }
    }
  }, async (request, reply) => {
    await service.removeOne(app.store, app.settings, request.params.id, request.headers['if-match'], request.principal!)
    return reply.code(204).send(null)
  })
}

export default pagesRoutes
