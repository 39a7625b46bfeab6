import type { Static, TSchema } from 'typebox'
import type { TokenRole } from '../../db/schema.js'
import type { Store } from '../../db/store.js'
import type { Principal } from '../../lib/principal.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { ref } from '../../schemas.js'
import * as articles from '../articles/service.js'
import { ArticlePatch, ArticlePathParams, NewArticle, type ArticleBody } from '../articles/schemas.js'
import * as comments from '../comments/service.js'
import { CommentParams, CommentPatch, type CommentBody } from '../comments/schemas.js'
import * as dates from '../dates/service.js'
import { DayParams, DayPatch, NewDay, type DayBody } from '../dates/schemas.js'
import * as labels from '../labels/service.js'
import { LabelParams, LabelPatch, NewLabel, type LabelBody } from '../labels/schemas.js'
import * as pages from '../pages/service.js'
import { NewPage, PageParams, PagePatch, type PageBody } from '../pages/schemas.js'
import * as redirects from '../redirects/service.js'
import { NewRedirect, RedirectParams, RedirectPatch, type RedirectBody } from '../redirects/schemas.js'

// The writes a batch can run: each is its single route's role, schemas and service call, so a
// batch follows the same rules one request at a time would. An entry's `role` is the single
// route's `requireRole`, its `params` and `body` the route's own schemas.

/** What an operation runs on: the batch's unit of work, and who sent the batch. */
export interface OperationContext {
  tx: Store
  settings: SiteSettings
  principal: Principal
}

/** An operation's success, as its single route answers it. */
export interface OperationAnswer {
  status: 200 | 201 | 204
  body?: ArticleBody | CommentBody | DayBody | LabelBody | PageBody | RedirectBody
  /** The resource's version: the part of its ETag `If-Match` compares. */
  version?: string
  location?: string
}

/** An operation's input once validated (and coerced) as the single route's would be. */
export interface OperationInput<Params = Record<string, unknown>, Body = unknown> {
  params: Params
  body: Body
  ifMatch: string | undefined
}

export interface BatchOperationKind {
  method: 'POST' | 'PATCH' | 'DELETE'
  /** The single route's path, in the router's syntax (`/v1/articles/:id`). */
  path: string
  role: TokenRole
  params?: TSchema
  body?: TSchema
  run: (context: OperationContext, input: OperationInput) => Promise<OperationAnswer>
}

/** An entry, its `run` typed by its own schemas. */
function operation<Params extends TSchema, Body extends TSchema> (kind: {
  method: BatchOperationKind['method']
  path: string
  role: TokenRole
  params?: Params
  body?: Body
  run: (context: OperationContext, input: OperationInput<Static<Params>, Static<Body>>) => Promise<OperationAnswer>
}): BatchOperationKind {
  return kind as BatchOperationKind
}

export const batchOperations: readonly BatchOperationKind[] = [
  operation({
    method: 'POST',
    path: '/v1/articles',
    role: 'author',
    body: ref(NewArticle),
    run: async ({ tx, settings, principal }, { body }) => {
      const { article, version } = await articles.createOne(tx, settings, body, principal)
      return { status: 201, body: article, version, location: `/v1/articles/${article.id}` }
    }
  }),
  operation({
    method: 'PATCH',
    path: '/v1/articles/:id',
    role: 'author',
    params: ArticlePathParams,
    body: ref(ArticlePatch),
    run: async ({ tx, settings, principal }, { params, body, ifMatch }) => {
      const { article, version } = await articles.updateOne(tx, settings, params.id, body, principal, ifMatch)
      return { status: 200, body: article, version }
    }
  }),
  operation({
    method: 'DELETE',
    path: '/v1/articles/:id',
    role: 'author',
    params: ArticlePathParams,
    run: async ({ tx, settings, principal }, { params, ifMatch }) => {
      await articles.removeOne(tx, settings, params.id, principal, ifMatch)
      return { status: 204 }
    }
  }),
  operation({
    method: 'PATCH',
    path: '/v1/comments/:id',
    role: 'author',
    params: CommentParams,
    body: ref(CommentPatch),
    run: async ({ tx, principal }, { params, body, ifMatch }) => {
      const { comment, version } = await comments.updateOne(tx, params.id, body, principal, ifMatch)
      return { status: 200, body: comment, version }
    }
  }),
  operation({
    method: 'DELETE',
    path: '/v1/comments/:id',
    role: 'author',
    params: CommentParams,
    run: async ({ tx, principal }, { params, ifMatch }) => {
      await comments.removeOne(tx, params.id, principal, ifMatch)
      return { status: 204 }
    }
  }),
  operation({
    method: 'POST',
    path: '/v1/dates',
    role: 'editor',
    body: ref(NewDay),
    run: async ({ tx, settings, principal }, { body }) => {
      const { day, version } = await dates.createOne(tx, settings, body, principal)
      return { status: 201, body: day, version, location: `/v1/dates/${day.date}` }
    }
  }),
  operation({
    method: 'PATCH',
    path: '/v1/dates/:date',
    role: 'editor',
    params: DayParams,
    body: ref(DayPatch),
    run: async ({ tx, settings, principal }, { params, body, ifMatch }) => {
      const { day, version } = await dates.updateOne(tx, settings, params.date, body, principal, ifMatch)
      return { status: 200, body: day, version }
    }
  }),
  operation({
    method: 'DELETE',
    path: '/v1/dates/:date',
    role: 'editor',
    params: DayParams,
    run: async ({ tx }, { params, ifMatch }) => {
      await dates.removeOne(tx, params.date, ifMatch)
      return { status: 204 }
    }
  }),
  operation({
    method: 'POST',
    path: '/v1/labels',
    role: 'editor',
    body: ref(NewLabel),
    run: async ({ tx }, { body }) => {
      const { label, version } = await labels.createOne(tx, body)
      return { status: 201, body: label, version, location: `/v1/labels/${label.id}` }
    }
  }),
  operation({
    method: 'PATCH',
    path: '/v1/labels/:id',
    role: 'editor',
    params: LabelParams,
    body: ref(LabelPatch),
    run: async ({ tx }, { params, body, ifMatch }) => {
      const { label, version } = await labels.updateOne(tx, params.id, body, ifMatch)
      return { status: 200, body: label, version }
    }
  }),
  operation({
    method: 'DELETE',
    path: '/v1/labels/:id',
    role: 'editor',
    params: LabelParams,
    run: async ({ tx }, { params, ifMatch }) => {
      await labels.removeOne(tx, params.id, ifMatch)
      return { status: 204 }
    }
  }),
  operation({
    method: 'POST',
    path: '/v1/pages',
    role: 'editor',
    body: ref(NewPage),
    run: async ({ tx, principal }, { body }) => {
      const { page, version } = await pages.createOne(tx, body, principal)
      return { status: 201, body: page, version, location: `/v1/pages/${page.id}` }
    }
  }),
  operation({
    method: 'PATCH',
    path: '/v1/pages/:id',
    role: 'editor',
    params: PageParams,
    body: ref(PagePatch),
    run: async ({ tx, settings, principal }, { params, body, ifMatch }) => {
      const { page, version } = await pages.updateOne(tx, settings, params.id, body, ifMatch, principal)
      return { status: 200, body: page, version }
    }
  }),
  operation({
    method: 'DELETE',
    path: '/v1/pages/:id',
    role: 'editor',
    params: PageParams,
    run: async ({ tx, settings, principal }, { params, ifMatch }) => {
      await pages.removeOne(tx, settings, params.id, ifMatch, principal)
      return { status: 204 }
    }
  }),
  operation({
    method: 'POST',
    path: '/v1/redirects',
    role: 'editor',
    body: ref(NewRedirect),
    run: async ({ tx }, { body }) => {
      const { redirect, version } = await redirects.createOne(tx, body)
      return { status: 201, body: redirect, version, location: `/v1/redirects/${redirect.id}` }
    }
  }),
  operation({
    method: 'PATCH',
    path: '/v1/redirects/:id',
    role: 'editor',
    params: RedirectParams,
    body: ref(RedirectPatch),
    run: async ({ tx }, { params, body, ifMatch }) => {
      const { redirect, version } = await redirects.updateOne(tx, params.id, body, ifMatch)
      return { status: 200, body: redirect, version }
    }
  }),
  operation({
    method: 'DELETE',
    path: '/v1/redirects/:id',
    role: 'editor',
    params: RedirectParams,
    run: async ({ tx }, { params, ifMatch }) => {
      await redirects.removeOne(tx, params.id, ifMatch)
      return { status: 204 }
    }
  })
]
