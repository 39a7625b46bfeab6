import { Writable } from 'node:stream'

/** A writable stream that keeps everything written to it: a log or a CLI's output, to look through. */
export function captureStream (): { stream: Writable, text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write (chunk, _encoding, callback) {
      chunks.push(String(chunk))
      callback()
    }
  })
  return { stream, text: () => chunks.join('') }
}
