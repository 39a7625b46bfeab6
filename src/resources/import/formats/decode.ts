import { isUtf8 } from 'node:buffer'
import { TextDecoder } from 'node:util'
import { MalformedImportError } from '../records.js'
import { positionIn } from './markup-guard.js'

// Bytes → text. The parsers take JS strings, so the encoding is decided here, once, from
// the byte-order mark or the XML declaration (never guessed from the content), and the
// bytes are decoded as a stream: a 100 MB file never becomes one string.

/** Bytes read before deciding the encoding: an XML declaration fits well within them. */
const sniffBytes = 1024

const encodingByLabel: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'utf-16': 'utf-16',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252'
}

/**
 * Decodes the input to text chunks. String chunks are taken as already decoded. The input is
 * closed when this ends, however it ends (an error in the file, a reader that stops early).
 */
export async function * decodeInput (input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const iterator = input[Symbol.asyncIterator]()
  try {
    const first = await firstBytes(iterator)
    if (typeof first === 'string') {
      yield first.replace(/^\uFEFF/, '')
      yield * restAsText(iterator)
    } else if (first.length > 0) {
      yield * decodedBytes(first, iterator)
    }
  } finally {
    await iterator.return?.()
  }
}

async function * decodedBytes (first: Buffer, iterator: AsyncIterator<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StreamDecoder(encodingOf(first))
  yield decoder.decode(first)
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
    yield typeof next.value === 'string' ? next.value : decoder.decode(next.value)
  }
  yield decoder.end()
}

/** Collects at least sniffBytes (or everything), or returns the first chunk when it is a string. */
async function firstBytes (iterator: AsyncIterator<Buffer | string>): Promise<Buffer | string> {
  const buffers: Buffer[] = []
  let length = 0
  while (length < sniffBytes) {
    const next = await iterator.next()
    if (next.done === true) break
    if (typeof next.value === 'string') {
      if (buffers.length === 0) return next.value
      throw new TypeError('readImport: mixed Buffer and string chunks')
    }
    buffers.push(next.value)
    length += next.value.length
  }
  return Buffer.concat(buffers)
}

async function * restAsText (iterator: AsyncIterator<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StreamDecoder('utf-8')
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
    yield typeof next.value === 'string' ? next.value : decoder.decode(next.value)
  }
}

/** The WHATWG encoding name for these leading bytes: BOM first, then the XML declaration, else UTF-8. */
export function encodingOf (head: Buffer): string {
  if (head[0] === 0xEF && head[1] === 0xBB && head[2] === 0xBF) return 'utf-8'
  if (head[0] === 0xFF && head[1] === 0xFE) return 'utf-16le'
  if (head[0] === 0xFE && head[1] === 0xFF) return 'utf-16be'
  // `<?` in UTF-16 without a BOM (XML 1.0 appendix F).
  if (head[0] === 0x3C && head[1] === 0x00 && head[2] === 0x3F && head[3] === 0x00) return 'utf-16le'
  if (head[0] === 0x00 && head[1] === 0x3C && head[2] === 0x00 && head[3] === 0x3F) return 'utf-16be'
  const declared = declaredEncoding(head.toString('latin1'))
  if (declared === null) return 'utf-8'
  const encoding = encodingByLabel[declared.toLowerCase()]
  if (encoding === undefined) {
    throw new MalformedImportError(`the XML declaration names the encoding "${declared}", which Dateline cannot read (use UTF-8, UTF-16, ISO-8859-1 or windows-1252)`, 1, 1)
  }
  if (encoding.startsWith('utf-16')) {
    throw new MalformedImportError(`the XML declaration says "${declared}" but the file is not UTF-16 (no byte-order mark, ASCII bytes)`, 1, 1)
  }
  return encoding
}

function declaredEncoding (head: string): string | null {
  const declaration = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(head)
  return declaration?.[1] ?? null
}

/**
 * A fatal TextDecoder in stream mode that turns invalid bytes into a MalformedImportError
 * naming the line and column. Invalid bytes are an error rather than U+FFFD: silently
 * replacing characters would import damaged text into every article it touches.
 */
class StreamDecoder {
  private readonly decoder: TextDecoder
  private line = 1
  private column = 1
  /** UTF-8 (most files): the bytes of a character the next chunk completes. */
  private carried: Buffer | null
  /** Nothing decoded yet: a UTF-8 byte-order mark would come now. */
  private atStart = true

  constructor (private readonly encoding: string) {
    this.decoder = new TextDecoder(encoding, { fatal: true })
    this.carried = encoding === 'utf-8' ? Buffer.alloc(0) : null
  }

  decode (bytes: Buffer): string {
    let text: string
    try {
      text = this.carried === null ? this.decoder.decode(bytes, { stream: true }) : this.decodeUtf8(bytes)
    } catch {
      this.failIn(bytes)
    }
    this.advance(text)
    return text
  }

  end (): string {
    try {
      if (this.carried !== null && this.carried.length > 0) throw new TypeError('a character cut short')
      return this.carried === null ? this.decoder.decode() : ''
    } catch {
      throw new MalformedImportError(`unexpected end of file in the middle of a ${this.encoding} character`, this.line, this.column)
    }
  }

  /**
   * UTF-8 checked and decoded by Node's own routines (simdutf) rather than a TextDecoder
   * in stream mode: a tenth of the time, which was 4–7 % of a large import's reader thread.
   * A character cut at the chunk's end waits for the next chunk; the BOM is dropped, as a
   * TextDecoder drops it.
   */
  private decodeUtf8 (bytes: Buffer): string {
    const whole = this.carried!.length === 0 ? bytes : Buffer.concat([this.carried!, bytes])
    const complete = whole.length - cutCharacterBytes(whole)
    const start = this.atStart && whole[0] === 0xEF && whole[1] === 0xBB && whole[2] === 0xBF ? 3 : 0
    const body = whole.subarray(start, complete)
    if (!isUtf8(body)) throw new TypeError('not UTF-8')
    this.carried = Buffer.from(whole.subarray(complete))
    if (complete > 0) this.atStart = false
    return body.toString('utf8')
  }

  private failIn (bytes: Buffer): never {
    const lenient = new TextDecoder(this.encoding).decode(bytes)
    const bad = Math.max(0, lenient.indexOf('\uFFFD'))
    const { line, column } = positionIn(lenient, bad, this.line, this.column)
    throw new MalformedImportError(`bytes that are not valid ${this.encoding} (check the file's encoding and its XML declaration)`, line, column)
  }

  private advance (text: string): void {
    const { line, column } = positionIn(text, text.length, this.line, this.column)
    this.line = line
    this.column = column
  }
}

/**
 * How many bytes at the end of `bytes` begin a UTF-8 character that is not complete yet (0–3):
 * a lead byte and fewer continuation bytes than it announces. Anything else is left for the
 * check to judge.
 */
function cutCharacterBytes (bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!
    if ((byte & 0xC0) === 0x80) continue
    const length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
    return length > back ? back : 0
  }
  return 0
}

/** The first `minLength` characters (or all of a shorter input), and the whole text again. */
export async function peekText (texts: AsyncIterable<string>, minLength: number): Promise<{ head: string, texts: AsyncGenerator<string> }> {
  const iterator = texts[Symbol.asyncIterator]()
  const seen: string[] = []
  let length = 0
  let exhausted = false
  while (length < minLength) {
    const next = await iterator.next()
    if (next.done === true) {
      exhausted = true
      break
    }
    seen.push(next.value)
    length += next.value.length
  }
  async function * replay (): AsyncGenerator<string> {
    try {
      yield * seen.splice(0)
      if (exhausted) return
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value
    } finally {
      await iterator.return?.()
    }
  }
  return { head: seen.join(''), texts: replay() }
}

/** Splits text into lines (without their line ends); a final empty line is not yielded. */
export async function * splitLines (texts: AsyncIterable<string>): AsyncGenerator<string> {
  let partial = ''
  for await (const text of texts) {
    const lines = (partial + text).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line
  }
  if (partial !== '') yield partial.endsWith('\r') ? partial.slice(0, -1) : partial
}
