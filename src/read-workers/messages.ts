import type { FieldError } from '../errors.js'
import type { HeavyRead, HeavyStream } from './operations.js'

/** What the server's thread sends a read worker: one read at a time. */
export interface ReadRequest {
  id: number
  operation: HeavyRead
  input: unknown
}

/**
 * What the server's thread sends a streaming worker: each asks for the stream's next chunk
 * (the first one starts it); the answer's value is the chunk, or null at the end.
 */
export interface ChunkRequest {
  id: number
  stream: HeavyStream
  input: unknown
}

/** What a read worker answers: the operation's value, or the error it threw. */
export type ReadAnswer = { id: number, value: unknown } | { id: number, error: CarriedError }

/** What a read worker says once, when its connection is open and it takes reads. */
export interface WorkerReady { ready: true }

/**
 * An error as it crosses between threads. The structured clone keeps an Error's name and
 * message only; the problem handler (plugins/problem.ts) also needs the catalogue's `code`
 * and `statusCode` and the fields a 400 names (`errors`), so a 4xx thrown by a service in a
 * worker answers exactly as it does in the server's thread.
 */
export interface CarriedError {
  name: string
  message: string
  stack?: string
  code?: string
  statusCode?: number
  errors?: FieldError[]
}

export function carry (error: unknown): CarriedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) }
  const { code, statusCode, errors } = error as { code?: unknown, statusCode?: unknown, errors?: unknown }
  return {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    ...(Array.isArray(errors) ? { errors: errors as FieldError[] } : {})
  }
}

export function revive (carried: CarriedError): Error {
  const { message, stack, ...fields } = carried
  const error = Object.assign(new Error(message), fields)
  if (stack !== undefined) error.stack = stack
  return error
}

/**
 * A test hook (AppOptions.readWorkerControl): cells of an Int32Array over a SharedArrayBuffer
 * that the tests and the workers both see. Production passes none.
 */
export const control = {
  /** Non-zero: a worker holds each read, before it touches the database, until it is zero again. */
  hold: 0,
  /** Non-zero: the next read makes its worker exit (a crash), and the cell is reset. */
  crash: 1,
  /** Reads the workers have begun, counted, so a test can wait until one is under way. */
  begun: 2
} as const

/** The Int32Array a test passes as `readWorkerControl`. */
export function readWorkerControl (): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT))
}
