import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Readable } from 'node:stream'
import { originOf } from '../../lib/request-origin.js'
import { writeSecurity } from '../../lib/responses.js'
import { problems, Type } from '../../schemas.js'
import { ndjsonFormat, ndjsonVersion } from './ndjson.js'

// The first lines of the demo blog's export.
const exportExample = [
  { type: 'header', format: ndjsonFormat, version: ndjsonVersion, exportedAt: '2026-06-25T09:00:00.000Z', counts: { authors: 3, labels: 7, media: 14, articles: 14, days: 1, comments: 7 } },
  { type: 'setting', name: 'timezone', value: 'UTC' },
  { type: 'setting', name: 'locale', value: 'en-US' }
].map((line) => `${JSON.stringify(line)}\n`).join('')

const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireRole('admin'))

  app.get('', {
    schema: {
      tags: ['import'],
      operationId: 'exportAll',
      summary: 'Export everything as NDJSON',
      description: 'One JSON object per line: a header (format, version, counts), then settings, authors (with e-mails), labels, ' +
        'media items (metadata, and `url`: where to fetch each image\'s largest file at this API), articles of every status (with `featuredImage`), days with notes, and comments. `POST /v1/import` reads it back; ids are kept where they are free.',
      security: writeSecurity,
      response: {
        // Typed as the stream the handler sends; documented as the text a client receives.
        200: { description: 'The NDJSON export, streamed', content: { 'application/x-ndjson': { schema: Type.Unsafe<Readable>({ type: 'string' }), example: exportExample } } },
        ...problems(400, 401, 403)
      }
    }
  }, async (request, reply) => {
    // It holds private data (e-mails): no cache may keep it.
    reply.header('cache-control', 'no-store')
    reply.header('content-disposition', 'attachment; filename="dateline-export.ndjson"')
    return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(app.heavyReads.stream('exportLines', {
      settings: { timezone: app.settings.timezone, locale: app.settings.locale },
      mediaBase: `${originOf(request)}/media/`
    })))
  })
}

export default exportRoutes
