import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Readable } from 'node:stream'
import { malformedImport, PayloadTooLarge } from '../../errors.js'
import { writeSecurity } from '../../lib/responses.js'
import { problems, Type } from '../../schemas.js'
import { ImportQuery, type ImportReportBody } from './schemas.js'
import * as service from './service.js'

/** What an export file may be sent as; the format itself is read from the content. */
export const importMediaTypes = ['application/xml', 'text/xml', 'application/atom+xml', 'application/rss+xml', 'application/json', 'application/x-ndjson']

export interface ImportRoutesOptions {
  /** Largest file, in bytes. */
  importLimit: number
}

/** The request body, failing with a 413 once it passes `limit` bytes. */
async function * limited (body: Readable, limit: number): AsyncGenerator<Buffer> {
  let received = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length
    if (received > limit) throw new PayloadTooLarge(`An import file may be at most ${limit} bytes`)
    yield chunk
  }
}

const importRoutes: FastifyPluginAsyncTypebox<ImportRoutesOptions> = async (app, options) => {
  app.addHook('preHandler', app.requireRole('editor'))

  // The file is received as it arrives (to a temporary file past 1 MB: spool.ts), not parsed into memory.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(importMediaTypes, (_request, payload, done) => { done(null, payload) })

  const file = { description: 'The export file as it is (format detected from its content)' }
  app.post('', {
    bodyLimit: options.importLimit,
    schema: {
      tags: ['import'],
      operationId: 'importFile',
      summary: 'Import a Blogger, WordPress or Dateline export',
      description: 'Receives the whole file, then reads and applies it in one transaction: all of it, or (on any error) nothing. ' +
        'Rows are keyed by their source (format, site, id): importing the same file again creates nothing and reports every row unchanged. ' +
        'With `dryRun=true` nothing is written. A file that cannot be read is a 400 naming its line and column.',
      security: writeSecurity,
      querystring: ImportQuery,
      body: { content: Object.fromEntries(importMediaTypes.map((type) => [type, { schema: file }])) },
      response: {
        200: Type.Unsafe<ImportReportBody>({ $ref: 'ImportReport', description: 'What was imported, or with `dryRun` would be' }),
        ...problems(400, 401, 403, 413, 415)
      }
    }
  }, async (request) => {
    // Without a media type no parser runs, and there is no file to read.
    if (request.body === undefined || request.body === null) throw malformedImport('there is no file: send it as the request body, with its media type')
    const declared = Number(request.headers['content-length'])
    if (declared > options.importLimit) throw new PayloadTooLarge(`An import file may be at most ${options.importLimit} bytes`)
    return await service.importFile(app.store, app.settings, limited(request.body as Readable, options.importLimit), {
      dryRun: request.query.dryRun ?? false,
      ...(request.query.format === undefined ? {} : { format: request.query.format })
    })
  })
}

export default importRoutes
