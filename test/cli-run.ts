import { dirname } from 'node:path'
import { Writable } from 'node:stream'
import type { Test } from 'tap'
import { runCli } from '../src/cli/main.js'
import { tempDatabase, type TapLike } from './helper.js'

// The command line run in-process, as `dateline` runs it (runCli), with its output kept.

export interface CliRun { code: number, stdout: string, stderr: string }

/** A stream that keeps what is written to it; a terminal's, 120 columns wide, with `isTTY`. */
export function memoryStream (isTTY = false): { stream: Writable & { isTTY?: boolean, columns?: number }, text: () => string } {
  const chunks: string[] = []
  const stream: Writable & { isTTY?: boolean, columns?: number } = new Writable({ write (chunk, _encoding, callback) { chunks.push(String(chunk)); callback() } })
  if (isTTY) Object.assign(stream, { isTTY: true, columns: 120 })
  return { stream, text: () => chunks.join('') }
}

/** Runs the CLI with in-memory stdout/stderr (stderr a terminal's with `ttyStderr`) and only the given environment. */
export async function cli (argv: string[], env: NodeJS.ProcessEnv = {}, options: { ttyStderr?: boolean } = {}): Promise<CliRun> {
  const stdout = memoryStream()
  const stderr = memoryStream(options.ttyStderr === true)
  const code = await runCli(argv, { stdout: stdout.stream, stderr: stderr.stream, env })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

export const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '')

/** A fixture of ../shared/fixtures. */
export const fixturePath = (name: string): string => new URL(`../../shared/fixtures/${name}`, import.meta.url).pathname

/** A temp database (in a temp folder, also used for other files) and the CLI's environment for it. */
export function cliDatabase (t: TapLike): { dir: string, file: string, env: NodeJS.ProcessEnv } {
  const file = tempDatabase(t)
  return { dir: dirname(file), file, env: { DATABASE_URL: file, DATELINE_DEMO: 'false' } }
}

/** `dateline export` to stdout, parsed; exits 0. */
export async function exportedLines (t: Test, env: NodeJS.ProcessEnv): Promise<{ text: string, rows: Array<Record<string, any>> }> {
  const run = await cli(['export'], env)
  t.equal(run.code, 0, 'export exits 0')
  return { text: run.stdout, rows: lines(run.stdout).map((line) => JSON.parse(line) as Record<string, any>) }
}

/** The export as text lines, the header's exportedAt blanked (the one thing allowed to differ). */
export function comparable (text: string): string[] {
  const [first, ...rest] = lines(text)
  return [JSON.stringify({ ...JSON.parse(first ?? '{}'), exportedAt: '(export time)' }), ...rest]
}
