import type { FastifyReply } from 'fastify'
import type { TSchema } from 'typebox'
import { pageLinks, pickFields, type Page } from './list.js'

/** Reads are open to anyone; a token widens what they see. */
export const readSecurity: Array<Record<string, string[]>> = [{}, { bearerAuth: [] }]
/** Writes need a bearer token. */
export const writeSecurity: Array<Record<string, string[]>> = [{ bearerAuth: [] }]

/**
 * An answer of another shape than the route's 200 schema (a `fields=` answer leaves out
 * fields its schema requires) is serialised with its own schema: still a schema, so nothing
 * unlisted can leak. Pass the same object each time: compiled serialisers are cached by it.
 */
export function serializeWith (reply: FastifyReply, schema: TSchema): void {
  reply.type('application/json; charset=utf-8')
  reply.serializer(reply.compileSerializationSchema(schema as Record<string, unknown>))
}

export interface Sparse {
  /** From `fields=`: empty means every field. */
  fields: ReadonlySet<string>
  /** Embedded resources (`include=`), kept whatever `fields` says. */
  embeds: readonly string[]
  partialSchema: TSchema
}

function keep<T extends { id: number }> (item: T, sparse: Sparse): Partial<T> {
  return pickFields(item, new Set([...sparse.fields, ...sparse.embeds]))
}

/** The `{ data, meta }` body of a list, with the `Link` header to its neighbours. */
export function pageBody<T> (reply: FastifyReply, page: Page<T>): { data: T[], meta: { total: number, limit: number, offset: number, nextCursor: string | null } } {
  const links = pageLinks(reply.request.url, page)
  if (links !== undefined) reply.header('link', links)
  return { data: page.items, meta: { total: page.total, limit: page.limit, offset: page.offset, nextCursor: page.nextCursor } }
}

export function listResponse<T extends { id: number }> (reply: FastifyReply, page: Page<T>, sparse: Sparse) {
  const { meta } = pageBody(reply, page)
  if (sparse.fields.size === 0) return { data: page.items, meta }
  serializeWith(reply, sparse.partialSchema)
  return { data: page.items.map((item) => keep(item, sparse)) as T[], meta }
}

export function singleResponse<T extends { id: number }> (reply: FastifyReply, item: T, sparse: Sparse): T {
  if (sparse.fields.size === 0) return item
  serializeWith(reply, sparse.partialSchema)
  return keep(item, sparse) as T
}
