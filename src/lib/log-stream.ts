import { writeSync } from 'node:fs'

/**
 * Where the server's log lines go: a file descriptor (stdout by default), written without ever
 * waiting or retrying. pino's own destination (sonic-boom) retries a failed write in a loop —
 * with stdout on a full disk (ENOSPC) the server hung there, before it even listened. Here a line
 * that cannot be written (a full disk, a pipe whose reader is behind: EAGAIN) is dropped and
 * counted, and the count is logged once lines get through again.
 */
export function logStream (fd = 1): { write: (line: string) => void, dropped: () => number } {
  let dropped = 0
  let unreported = 0
  const writeAll = (text: string): boolean => {
    const bytes = Buffer.from(text)
    for (let offset = 0; offset < bytes.length;) {
      try {
        offset += writeSync(fd, bytes, offset)
      } catch {
        return false
      }
    }
    return true
  }
  return {
    write (line: string) {
      if (unreported > 0 && writeAll(`${JSON.stringify({ level: 40, time: Date.now(), msg: `${unreported} log lines could not be written and were dropped` })}\n`)) unreported = 0
      if (writeAll(line)) return
      dropped++
      unreported++
    },
    dropped: () => dropped
  }
}

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
// Fields every line has, or that the line's text already shows (`startup`: the start-up messages' details).
const shownOrNoise = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err', 'startup'])

/** One pino JSON line as a person reads it: `14:03:07 INFO  GET /v1/articles 200 3.1 ms`. */
export function humanLine (line: string): string {
  let entry: Record<string, any>
  try {
    entry = JSON.parse(line) as Record<string, any>
  } catch {
    return line
  }
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toTimeString().slice(0, 8)
  const parts = [time, (levelNames[entry.level as number] ?? String(entry.level)).padEnd(5), String(entry.msg ?? '')]
  if (entry.req !== undefined) parts.push(`${entry.req.method} ${entry.req.url}`)
  if (entry.res !== undefined) parts.push(`${entry.res.statusCode}${typeof entry.responseTime === 'number' ? ` ${entry.responseTime.toFixed(1)} ms` : ''}`)
  for (const [key, value] of Object.entries(entry)) {
    if (!shownOrNoise.has(key)) parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  }
  const stack = typeof entry.err?.stack === 'string' ? `\n${entry.err.stack as string}` : ''
  return `${parts.filter((part) => part !== '').join(' ')}${stack}\n`
}

/** The same stream, in human lines: for a terminal (JSON stays the format for logs and pipes). */
export function humanLogStream (fd = 1): { write: (line: string) => void, dropped: () => number } {
  const stream = logStream(fd)
  return { write: (line: string) => { stream.write(humanLine(line)) }, dropped: stream.dropped }
}
