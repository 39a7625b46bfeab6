import { redirectStatuses, type RedirectStatus } from '../../db/schema.js'
import { maxSitePathLength } from '../../lib/site-paths.js'
import { ListMeta, idParam, pageQuery, plainTextPattern, ref, Timestamp, Type, type Static } from '../../schemas.js'

// Printable ASCII and beyond, no spaces or controls: what a URL holds (a space is %20).
const urlText = '^[^\\s\\u0000-\\u001F\\u007F-\\u009F]+$'

const fromPath = Type.String({
  minLength: 1,
  maxLength: maxSitePathLength,
  pattern: urlText,
  description: 'A path on the front end, without query or fragment: `/2019/05/old-story.html`. Kept in one spelling: escapes decoded where a path needs none (`/caf%C3%A9` is `/café` once escaped the one way), no trailing slash',
  examples: ['/2019/05/old-story.html']
})

const target = Type.String({
  minLength: 1,
  maxLength: maxSitePathLength,
  pattern: urlText,
  description: 'Where readers go: a path on the front end (a query and fragment may follow) or an absolute http(s) URL of another site. An article\'s path may be given by a slug it had before: the lookup answers its path now',
  examples: ['/articles/council-approves-the-harbour-plan']
})

const status = Type.Unsafe<RedirectStatus>({
  type: 'integer',
  minimum: 301,
  maximum: 308,
  enum: [...redirectStatuses],
  description: '301 or 308: moved for good (search engines move the page\'s standing); 302 or 307: for now. 307 and 308 keep the request\'s method',
  examples: [301]
})

const example = {
  id: 4,
  from: '/2019/05/old-story.html',
  to: '/articles/council-approves-the-harbour-plan',
  status: 301,
  createdAt: '2026-12-05T09:00:00.000Z',
  updatedAt: '2026-12-05T09:00:00.000Z'
}

export const Redirect = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [4] }),
  from: fromPath,
  to: target,
  status,
  createdAt: Timestamp,
  updatedAt: Timestamp
}, {
  $id: 'Redirect',
  additionalProperties: false,
  description: 'A redirect an editor keeps: readers asking the front end for `from` are sent to `to`',
  examples: [example]
})
export type RedirectBody = Static<typeof Redirect>

export const RedirectList = Type.Object({ data: Type.Array(ref(Redirect)), meta: ref(ListMeta) }, {
  $id: 'RedirectList',
  additionalProperties: false,
  examples: [{ data: [example], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }]
})

export const RedirectMatch = Type.Object({
  path: Type.String({ description: 'The path asked about, in its one spelling (without its query)', examples: ['/articles/harbour-plan-vote'] }),
  location: Type.String({ description: 'Where to send the reader: a path on the front end, or another site\'s URL, with the query the path was asked with. The end of the chain when redirects lead on to each other', examples: ['/articles/council-approves-the-harbour-plan?utm_source=newsletter'] }),
  status,
  redirectId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The editor\'s redirect the path matched; null when the path is an article\'s under a slug it had before', examples: [null] })
}, {
  $id: 'RedirectMatch',
  additionalProperties: false,
  description: 'Where a path on the front end has moved to',
  examples: [{ path: '/articles/harbour-plan-vote', location: '/articles/council-approves-the-harbour-plan?utm_source=newsletter', status: 301, redirectId: null }]
})
export type RedirectMatchBody = Static<typeof RedirectMatch>

export const NewRedirect = Type.Object({
  from: fromPath,
  to: target,
  status: Type.Optional({ ...status, default: 301 })
}, { $id: 'NewRedirect', additionalProperties: false, examples: [{ from: '/2019/05/old-story.html', to: '/articles/council-approves-the-harbour-plan' }] })
export type NewRedirectBody = Static<typeof NewRedirect>

export const RedirectPatch = Type.Object({
  from: Type.Optional(fromPath),
  to: Type.Optional(target),
  status: Type.Optional(status)
}, { $id: 'RedirectPatch', additionalProperties: false, minProperties: 1, examples: [{ status: 302 }] })
export type RedirectPatchBody = Static<typeof RedirectPatch>

export const RedirectParams = Type.Object({
  id: idParam('The redirect id (see `GET /v1/redirects`)', 1)
}, { additionalProperties: false })

export const RedirectQuery = Type.Object({
  ...pageQuery,
  path: Type.Optional(Type.String({
    minLength: 1,
    maxLength: maxSitePathLength * 2,
    pattern: plainTextPattern,
    description: 'A path the front end was asked for, e.g. `/articles/harbour-plan-vote?utm_source=newsletter` (its query is carried to the answer\'s `location`): where it has moved to, for anyone. Without it, the list of editors\' redirects, for editors'
  }))
}, { additionalProperties: false })
export type RedirectQueryString = Static<typeof RedirectQuery>

export const redirectSchemas = [Redirect, RedirectList, RedirectMatch, NewRedirect, RedirectPatch]
