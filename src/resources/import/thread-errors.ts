import { MalformedImportError } from './records.js'

// An error crosses from an import's thread (reader-worker.ts, writer-worker.ts) as plain data:
// a malformed file must stay a MalformedImportError (a 400), and a database error keep its code.

export interface ThreadFailure { malformed: boolean, name: string, message: string, code?: string }

export function failureOf (error: unknown): ThreadFailure {
  const { name, message } = error instanceof Error ? error : new Error(String(error))
  const code = (error as { code?: unknown }).code
  return { malformed: error instanceof MalformedImportError, name, message, ...(typeof code === 'string' ? { code } : {}) }
}

export function rebuiltError (failure: ThreadFailure): Error {
  if (failure.malformed) return new MalformedImportError(failure.message)
  const error = new Error(failure.message) as Error & { code?: string }
  error.name = failure.name
  if (failure.code !== undefined) error.code = failure.code
  return error
}
