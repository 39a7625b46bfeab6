import { MalformedImportError } from '../records.js'

// Checks the XML text just before saxes sees it, for two things saxes handles badly:
// - a bare `&` (`AT&T`): saxes 6 keeps reading an entity name until the next `;`, which can be
//   megabytes later, so the error comes late, at the wrong line, after buffering all of it;
// - a DOCTYPE: no export needs one, and refusing it outright rules out XXE and entity
//   expansion ("billion laughs") whatever the parser does with it.
// It tracks just enough state (CDATA, comments, processing instructions) to know where `&`
// is literal, and counts lines so that errors name a line and column.

type State = 'markup' | 'cdata' | 'comment' | 'pi'

const sectionEnd: Record<Exclude<State, 'markup'>, string> = { cdata: ']]>', comment: '-->', pi: '?>' }
const entityReference = /&(?:#[0-9]{1,10}|#x[0-9A-Fa-f]{1,8}|[A-Za-z_:][\w.:-]{0,63});/y
/** Plain tags (`<x`, `</x`) need no look: only references and `<!`/`<?` change what `&` means. */
const ampersandOrTag = /&|<[!?]/g
/** Long enough to hold any reference entityReference accepts, or `<![CDATA[`/`<!DOCTYPE`. */
const lookahead = 80

export class MarkupGuard {
  private state: State = 'markup'
  private carry = ''
  private line = 1
  private column = 1

  /** Checks the next piece of text; throws MalformedImportError at the first problem. */
  check (chunk: string): void {
    this.scan(this.carry + chunk, false)
  }

  /** Checks what was held back at the end of the input. */
  finish (): void {
    this.scan(this.carry, true)
  }

  private scan (text: string, final: boolean): void {
    let at = 0
    let keepFrom = text.length
    while (at < text.length) {
      if (this.state !== 'markup') {
        const terminator = sectionEnd[this.state]
        const end = text.indexOf(terminator, at)
        if (end < 0) {
          // Keep enough of an unfinished section for its terminator to straddle two chunks.
          if (!final) keepFrom = Math.max(at, text.length - (terminator.length - 1))
          break
        }
        at = end + terminator.length
        this.state = 'markup'
        continue
      }
      ampersandOrTag.lastIndex = at
      const found = ampersandOrTag.exec(text)
      if (found === null) {
        // A `<` at the very end may open `<!` or `<?` in the next chunk.
        if (!final && text.endsWith('<')) keepFrom = text.length - 1
        break
      }
      const position = found.index
      if (!final && text.length - position < lookahead) {
        // Not enough text yet to judge what starts here: look again with the next chunk.
        keepFrom = position
        break
      }
      at = text[position] === '&' ? this.checkReference(text, position) : this.enterMarkup(text, position)
    }
    this.advance(text, keepFrom)
    this.carry = text.slice(keepFrom)
  }

  private checkReference (text: string, position: number): number {
    entityReference.lastIndex = position
    const reference = entityReference.exec(text)
    if (reference === null) return this.fail(text, position, 'a bare "&" (write it as &amp; or inside CDATA)')
    return position + reference[0].length
  }

  private enterMarkup (text: string, position: number): number {
    if (text.startsWith('<![CDATA[', position)) return this.enter('cdata', position + 9)
    if (text.startsWith('<!--', position)) return this.enter('comment', position + 4)
    if (text.startsWith('<?', position)) return this.enter('pi', position + 2)
    if (text.startsWith('<!DOCTYPE', position)) {
      this.fail(text, position, 'a DOCTYPE is not allowed in an import file (no export format needs one, and it can hide entity expansion or external entities)')
    }
    return position + 1
  }

  private enter (state: State, next: number): number {
    this.state = state
    return next
  }

  private fail (text: string, position: number, message: string): never {
    const { line, column } = positionIn(text, position, this.line, this.column)
    throw new MalformedImportError(message, line, column)
  }

  /** Moves the line and column counters past text[0, end). */
  private advance (text: string, end: number): void {
    const { line, column } = positionIn(text, end, this.line, this.column)
    this.line = line
    this.column = column
  }
}

/** The 1-based line and column of text[index], given the position of text[0]. */
export function positionIn (text: string, index: number, line: number, column: number): { line: number, column: number } {
  let lineStart = -1
  for (let newline = text.indexOf('\n'); newline >= 0 && newline < index; newline = text.indexOf('\n', newline + 1)) {
    line++
    lineStart = newline
  }
  return { line, column: lineStart < 0 ? column + index : index - lineStart }
}
