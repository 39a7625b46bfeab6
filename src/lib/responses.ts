import type { FastifyReply } from 'fastify'
import type { TSchema } from 'typebox'
import { pageLinks, pickFields, type Page } from './list.js'

/** Reads are open to anyone; a token widens what they see. */
export const readSecurity: Array<Record<string, string[]>> = [{}, { bearerAuth: [] }]
/** Writes need a bearer token. */
export const writeSecurity: Array<Record<string, string[]>> = [{ bearerAuth: [] }]

/**
 * With `fields=…` an answer leaves out fields its schema requires, so it is serialised
 * with the schema's partial variant: still a schema, so nothing unlisted can leak.
 */
function useSerializer (reply: FastifyReply, partialSchema: TSchema): void {
  reply.type('application/json; charset=utf-8')
  reply.serializer(reply.compileSerializationSchema(partialSchema as Record<string, unknown>))
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
  useSerializer(reply, sparse.partialSchema)
  return { data: page.items.map((item) => keep(item, sparse)) as T[], meta }
}

export function singleResponse<T extends { id: number }> (reply: FastifyReply, item: T, sparse: Sparse): T {
  if (sparse.fields.size === 0) return item
  useSerializer(reply, sparse.partialSchema)
  return keep(item, sparse) as T
}
