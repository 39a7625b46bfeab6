import { batchExamples } from '../../demo/examples.js'
import { Problem, ref, Type, type Static } from '../../schemas.js'
import { Article } from '../articles/schemas.js'
import { Comment } from '../comments/schemas.js'
import { Day } from '../dates/schemas.js'
import { Label } from '../labels/schemas.js'
import { Page } from '../pages/schemas.js'
import { Redirect } from '../redirects/schemas.js'

/** Operations one batch may hold: the work of one transaction stays bounded (README, "Batch writes"). */
export const maxOperations = 100

export const BatchOperation = Type.Object({
  method: Type.Union([Type.Literal('POST'), Type.Literal('PATCH'), Type.Literal('DELETE')]),
  path: Type.String({
    minLength: 4,
    maxLength: 2048,
    pattern: '^/v1/[^?#]*$',
    description: 'The path the single request would go to, without a query: `/v1/articles`, `/v1/articles/{id}`, `/v1/comments/{id}`, `/v1/dates`, `/v1/dates/{date}`, `/v1/labels`, `/v1/labels/{id}`, `/v1/pages`, `/v1/pages/{id}`, `/v1/redirects`, `/v1/redirects/{id}`',
    examples: ['/v1/articles']
  }),
  body: Type.Optional(Type.Object({}, {
    additionalProperties: true,
    description: 'The body the single request would send, validated by its schema (`NewArticle`, `ArticlePatch`, `CommentPatch`, `NewDay`, `DayPatch`, `NewLabel`, `LabelPatch`, `NewPage`, `PagePatch`, `NewRedirect`, `RedirectPatch`); none for DELETE'
  })),
  ifMatch: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 1000,
    description: 'The `If-Match` the single request would send (PATCH and DELETE): the operation fails with 412 if the resource changed since'
  }))
}, {
  $id: 'BatchOperation',
  additionalProperties: false,
  description: 'One write, as it would be sent on its own',
  examples: [batchExamples.request.operations[0]]
})
export type BatchOperationBody = Static<typeof BatchOperation>

export const Batch = Type.Object({
  operations: Type.Array(ref(BatchOperation), { minItems: 1, maxItems: maxOperations, description: `1 to ${maxOperations} writes, run in order in one transaction` })
}, {
  $id: 'Batch',
  additionalProperties: false,
  description: 'Writes to run as one transaction: all of them, or none',
  examples: [batchExamples.request]
})

export const BatchResult = Type.Object({
  status: Type.Integer({ minimum: 200, maximum: 499, description: 'The status the single request would have answered', examples: [201] }),
  body: Type.Optional(Type.Union([ref(Article), ref(Comment), ref(Day), ref(Label), ref(Page), ref(Redirect)], { description: 'The answer\'s body (none for a 204)' })),
  etag: Type.Optional(Type.String({ description: 'The resource\'s ETag after the operation, for a later `If-Match`' })),
  location: Type.Optional(Type.String({ description: 'Where a created resource is (201)' })),
  problem: Type.Optional(ref(Problem))
}, {
  $id: 'BatchResult',
  additionalProperties: false,
  description: 'One operation\'s answer, as the single request would have had it: a success with its body, or the problem that failed the batch',
  examples: [batchExamples.results.results[0]]
})
export type BatchResultBody = Static<typeof BatchResult>

export const BatchResults = Type.Object({
  results: Type.Array(ref(BatchResult), { description: 'One per operation, in order' })
}, {
  $id: 'BatchResults',
  additionalProperties: false,
  description: 'Every operation succeeded, and all were committed together',
  examples: [batchExamples.results]
})

// A problem document with two extension members (RFC 9457 §3.2). Optional, because the
// route's 422 also answers an Idempotency-Key used for another request, which has neither.
export const BatchFailure = Type.Object({
  ...Problem.properties,
  failedOperation: Type.Optional(Type.Integer({ minimum: 0, maximum: maxOperations - 1, description: 'The index of the operation that failed' })),
  results: Type.Optional(Type.Array(ref(BatchResult), {
    description: 'The operations\' answers up to the failing one: those before it as they would have been (none was committed), then its problem. The operations after it were not run.'
  }))
}, {
  $id: 'BatchFailure',
  additionalProperties: false,
  description: 'An RFC 9457 problem: an operation failed, so nothing was written',
  examples: [batchExamples.failure]
})

export const batchSchemas = [BatchOperation, Batch, BatchResult, BatchResults, BatchFailure]
