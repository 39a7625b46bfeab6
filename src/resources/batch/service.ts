import FindMyWay from 'find-my-way'
import type { TSchema } from 'typebox'
import type { Store } from '../../db/store.js'
import { batchFailed, invalidFields, type FieldError } from '../../errors.js'
import { payloadHash } from '../../lib/entity-tags.js'
import { assertRole, type Principal } from '../../lib/principal.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { clientProblem, validationErrors, type AjvError, type ProblemError } from '../../lib/problem-documents.js'
import { schedulesChanged } from '../articles/view.js'
import { batchOperations, type BatchOperationKind, type OperationAnswer, type OperationContext, type OperationInput } from './operations.js'
import type { BatchOperationBody, BatchResultBody } from './schemas.js'

/** A validator the app compiled for one part of a request (a body is strict, a path coerced). */
export type Validator = ((data: unknown) => unknown) & { errors?: unknown }
export type CompileValidator = (schema: TSchema, part: 'body' | 'params') => Validator

/** An operation of the batch, routed and validated: ready to run. */
export interface PlannedOperation {
  index: number
  method: string
  path: string
  kind: BatchOperationKind
  input: OperationInput
}

// Operations are routed as requests are, by method and path (find-my-way, Fastify's router).
const router = FindMyWay({ ignoreTrailingSlash: true })
for (const kind of batchOperations) router.on(kind.method, kind.path, () => {}, kind)

function checked (schema: TSchema | undefined, value: unknown, part: 'body' | 'params', compile: CompileValidator): FieldError[] {
  if (schema === undefined) return []
  const validate = compile(schema, part)
  return validate(value) === true ? [] : validationErrors((validate.errors ?? []) as AjvError[], part)
}

/** What is wrong with one operation's input, its fields named from the batch's body (`operations[3].body.title`). */
function inputErrors (kind: BatchOperationKind, operation: BatchOperationBody, input: OperationInput, at: string, compile: CompileValidator): FieldError[] {
  const errors: FieldError[] = []
  // A path parameter is part of `path`: `{id} must be integer`, as the route's `params.id` would be.
  for (const error of checked(kind.params, input.params, 'params', compile)) errors.push({ path: `${at}.path`, message: `{${error.path.replace(/^params\./, '')}} ${error.message}` })
  if (kind.body === undefined && operation.body !== undefined) errors.push({ path: `${at}.body`, message: `is not taken by ${kind.method}` })
  for (const error of checked(kind.body, input.body, 'body', compile)) errors.push({ ...error, path: `${at}.${error.path}` })
  if (kind.method === 'POST' && operation.ifMatch !== undefined) errors.push({ path: `${at}.ifMatch`, message: 'is taken by PATCH and DELETE only' })
  return errors
}

/**
 * Routes each operation to its kind and validates its input with the single route's schemas,
 * before any runs: a batch with bad input is a 400 naming every bad field, and costs no
 * transaction.
 */
export function plan (operations: BatchOperationBody[], compile: CompileValidator): PlannedOperation[] {
  const errors: FieldError[] = []
  const planned: PlannedOperation[] = []
  for (const [index, operation] of operations.entries()) {
    const at = `operations[${index}]`
    const found = router.find(operation.method, operation.path)
    if (found === null) {
      errors.push({ path: `${at}.path`, message: `${operation.method} ${operation.path} is not a write a batch can run` })
      continue
    }
    const kind = found.store as BatchOperationKind
    const input: OperationInput = { params: { ...found.params }, body: operation.body, ifMatch: operation.ifMatch }
    errors.push(...inputErrors(kind, operation, input, at, compile))
    planned.push({ index, method: operation.method, path: operation.path, kind, input })
  }
  const [first, ...rest] = errors
  if (first !== undefined) throw invalidFields([first, ...rest])
  return planned
}

function succeeded (answer: OperationAnswer): BatchResultBody {
  const result: BatchResultBody = { status: answer.status }
  if (answer.body !== undefined) result.body = answer.body
  // As the single route's ETag: the version (what If-Match compares), then the answer's digest.
  if (answer.version !== undefined) result.etag = `"${answer.version}.${payloadHash(JSON.stringify(answer.body ?? null))}"`
  if (answer.location !== undefined) result.location = answer.location
  return result
}

/**
 * Runs one operation: its answer, or the problem a client caused (a 4xx), which fails the
 * batch. Anything else (a lost race PostgreSQL retries, a database gone) ends the batch's unit
 * as it would a single request's.
 */
async function runOne (context: OperationContext, operation: PlannedOperation): Promise<BatchResultBody> {
  try {
    assertRole(context.principal, operation.kind.role)
    return succeeded(await operation.kind.run(context, operation.input))
  } catch (error) {
    const problem = clientProblem(error as ProblemError, operation.path)
    if (problem === null) throw error
    return { status: problem.status, problem }
  }
}

function failure (operation: PlannedOperation, results: BatchResultBody[]): Error {
  const failed = results[operation.index]!
  return batchFailed(
    `Nothing was written: operation ${operation.index} (${operation.method} ${operation.path}) answered ${failed.status}: ${failed.problem?.detail ?? ''}`,
    { failedOperation: operation.index, results }
  )
}

/**
 * Runs the operations in order in one unit of work, each through its resource's service (a
 * savepoint inside the unit): all are committed, with their change-log entries in order, or
 * none is. The first operation that fails stops the batch (the 422 carries the answers so far).
 */
export async function run (store: Store, settings: SiteSettings, planned: PlannedOperation[], principal: Principal): Promise<BatchResultBody[]> {
  const results = await store.transaction(async (tx) => {
    // Built inside the unit: PostgreSQL runs a unit again, whole, after a lost race.
    const answers: BatchResultBody[] = []
    for (const operation of planned) {
      answers.push(await runOne({ tx, settings, principal }, operation))
      if (answers.at(-1)!.problem !== undefined) throw failure(operation, answers)
    }
    return answers
  })
  // The article services forget the known schedules of the store they were given: here the
  // unit's, so the committed batch tells the app's store.
  await schedulesChanged(store)
  return results
}
