import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { writeSecurity } from '../../lib/responses.js'
import { answer, problems, ref } from '../../schemas.js'
import { Batch, BatchFailure, BatchResults, maxOperations } from './schemas.js'
import * as service from './service.js'

// The problem of a batch that failed carries the operations' answers (`BatchFailure`).
const failed = {
  description: 'An operation failed, so nothing was written: `failedOperation` says which, `results` holds the answers up to it. (Or the `Idempotency-Key` was used, within 24 hours, for a different request.)',
  content: { 'application/problem+json': { schema: ref(BatchFailure) } }
}

const batchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('', {
    // The least any operation needs; each operation then needs what its single route does.
    preHandler: app.requireRole('author'),
    schema: {
      tags: ['batch'],
      operationId: 'runBatch',
      summary: 'Run several writes as one transaction',
      description: `Up to ${maxOperations} writes — articles (\`POST /v1/articles\`, \`PATCH\` and \`DELETE /v1/articles/{id}\`), comment moderation (\`PATCH\` and \`DELETE /v1/comments/{id}\`), day notes (\`POST /v1/dates\`, \`PATCH\` and \`DELETE /v1/dates/{date}\`) and labels (\`POST /v1/labels\`, \`PATCH\` and \`DELETE /v1/labels/{id}\`) — run in order in one transaction: all are written, or none. Each is validated, authorised and carried out exactly as the single request would be, with its own \`ifMatch\`. 200: every operation's answer, in order. 400: an operation's input is not valid (\`errors\` names it, e.g. \`operations[3].body.title\`); nothing ran. 422: an operation failed (\`failedOperation\`, \`results\`); nothing was written.`,
      security: writeSecurity,
      body: ref(Batch),
      response: { 200: answer(BatchResults, 'single', 'Every operation succeeded and was committed'), ...problems(400, 401, 403, 413, 415), 422: failed }
    }
  }, async (request) => {
    const planned = service.plan(request.body.operations, (schema, part) => request.compileValidationSchema(schema, part))
    return { results: await service.run(app.store, app.settings, planned, request.principal!) }
  })
}

export default batchRoutes
