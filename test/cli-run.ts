import { Writable } from 'node:stream'
import { runCli } from '../src/cli/main.js'

// The command line run in-process, as `dateline` runs it (runCli), with its output kept.

export interface CliRun { code: number, stdout: string, stderr: string }

/** A stream that keeps what is written to it. */
export function memoryStream (): { stream: Writable, text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({ write (chunk, _encoding, callback) { chunks.push(String(chunk)); callback() } })
  return { stream, text: () => chunks.join('') }
}

/** Runs the CLI with in-memory stdout/stderr and only the given environment. */
export async function cli (argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const stdout = memoryStream()
  const stderr = memoryStream()
  const code = await runCli(argv, { stdout: stdout.stream, stderr: stderr.stream, env })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}
