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
