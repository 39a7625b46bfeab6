import { SaxesParser, type SaxesTagNS } from 'saxes'
import { MalformedImportError } from '../records.js'
import { MarkupGuard } from './markup-guard.js'
import { canonicalNamespace, tolerantPrefixes } from './namespaces.js'

// Streams an XML document as a sequence of small element trees: the reader names which
// elements to collect (a Blogger `entry`, a WXR `item`, a channel's `wp:author`), each one is
// built while it is open and handed over when it closes, and everything outside them is
// dropped as it goes. So memory holds one item (with its comments) at a time, never the
// document.

export interface XmlName {
  /** Namespace URI after canonicalNamespace ('' for none). */
  uri: string
  local: string
}

export interface XmlElement extends XmlName {
  /** Unprefixed attributes by name (the formats read no namespaced attribute). */
  attributes: Record<string, string>
  children: XmlElement[]
  /** The element's own text and CDATA, concatenated in document order; children's text is theirs. */
  text: string
  /** Where the element starts, for messages. */
  line: number
}

export interface SubtreeOptions {
  /** Throws MalformedImportError when the root is not the format's. */
  checkRoot: (root: XmlName) => void
  /** Whether to collect the element just opened, given its open ancestors (root first). */
  collect: (ancestors: readonly XmlName[], element: XmlName) => boolean
}

/**
 * Exports nest 6 deep at most (rss/channel/item/wp:comment/wp:commentmeta/wp:meta_key): HTML
 * travels escaped or in CDATA, so it adds no depth. Anything much deeper is a hostile shape.
 */
export const maxDepth = 64
/** One item's text (and its comments') above this is not an export we can hold. */
const maxItemChars = 64 * 1024 * 1024
/** saxes is fed in slices so that one huge input chunk cannot queue a huge batch of records. */
const sliceChars = 64 * 1024

/** Yields the collected elements in batches, one per slice of text parsed (empty ones skipped). */
export async function * readSubtrees (texts: AsyncIterable<string>, options: SubtreeOptions): AsyncGenerator<XmlElement[]> {
  const builder = new SubtreeBuilder(options)
  const guard = new MarkupGuard()
  for await (const text of texts) {
    for (let start = 0; start < text.length; start += sliceChars) {
      const slice = text.slice(start, start + sliceChars)
      guard.check(slice)
      builder.write(slice)
      const collected = builder.takeCollected()
      if (collected.length > 0) yield collected
    }
  }
  guard.finish()
  builder.close()
  const collected = builder.takeCollected()
  if (collected.length > 0) yield collected
}

class SubtreeBuilder {
  private readonly parser = new SaxesParser({ xmlns: true, additionalNamespaces: tolerantPrefixes })
  private readonly ancestors: XmlName[] = []
  /** Open elements of the subtree being collected, with their text pieces. */
  private readonly open: Array<{ element: XmlElement, pieces: string[] }> = []
  private readonly collected: XmlElement[] = []
  private depth = 0
  private itemChars = 0
  private closing = false

  constructor (private readonly options: SubtreeOptions) {
    this.parser.on('error', (error) => { this.fail(withoutPosition(error.message)) })
    this.parser.on('doctype', () => { this.fail('a DOCTYPE is not allowed in an import file') })
    this.parser.on('opentag', (tag) => { this.opened(tag) })
    this.parser.on('text', (text) => { this.addText(text) })
    this.parser.on('cdata', (text) => { this.addText(text) })
    this.parser.on('closetag', () => { this.closed() })
  }

  write (text: string): void {
    this.parser.write(text)
  }

  close (): void {
    this.closing = true
    this.parser.close()
  }

  takeCollected (): XmlElement[] {
    return this.collected.splice(0)
  }

  private opened (tag: SaxesTagNS): void {
    this.depth++
    if (this.depth > maxDepth) this.fail(`elements nested more than ${maxDepth} deep`)
    const name = { uri: canonicalNamespace(tag.uri), local: tag.local }
    if (this.depth === 1) this.options.checkRoot(name)
    if (this.open.length > 0 || this.options.collect(this.ancestors, name)) {
      this.open.push({ element: this.newElement(name, tag), pieces: [] })
      return
    }
    this.ancestors.push(name)
  }

  private newElement (name: XmlName, tag: SaxesTagNS): XmlElement {
    const element: XmlElement = { uri: name.uri, local: name.local, attributes: plainAttributes(tag), children: [], text: '', line: this.parser.line }
    const open = this.open
    if (open.length === 0) this.itemChars = 0
    else open[open.length - 1]?.element.children.push(element)
    return element
  }

  private addText (text: string): void {
    const current = this.open[this.open.length - 1]
    if (current === undefined) return
    this.itemChars += text.length
    if (this.itemChars > maxItemChars) this.fail('an entry or item larger than 64 MB')
    current.pieces.push(text)
  }

  private closed (): void {
    this.depth--
    const current = this.open.pop()
    if (current === undefined) {
      this.ancestors.pop()
      return
    }
    current.element.text = current.pieces.join('')
    if (this.open.length === 0) this.collected.push(current.element)
  }

  private fail (message: string): never {
    const text = this.closing ? `unexpected end of file (${message})` : message
    throw new MalformedImportError(text, this.parser.line, this.parser.column + 1)
  }
}

function plainAttributes (tag: SaxesTagNS): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const name in tag.attributes) {
    const attribute = tag.attributes[name]
    if (attribute !== undefined && attribute.prefix === '' && attribute.local !== 'xmlns') attributes[attribute.local] = attribute.value
  }
  return attributes
}

/** saxes prefixes its messages with `line:column: `; MalformedImportError adds its own. */
function withoutPosition (message: string): string {
  return message.replace(/^(?:[^:]*:)?\d+:\d+: /, '').replace(/\.$/, '')
}

/** The first child with this name, if any. */
export function childOf (element: XmlElement, uri: string, local: string): XmlElement | undefined {
  return element.children.find((child) => child.uri === uri && child.local === local)
}

export function childrenOf (element: XmlElement, uri: string, local: string): XmlElement[] {
  return element.children.filter((child) => child.uri === uri && child.local === local)
}

/** The text of the first child with this name, trimmed; '' when absent. */
export function textOf (element: XmlElement, uri: string, local: string): string {
  return childOf(element, uri, local)?.text.trim() ?? ''
}

/** The text of the first child with this name as written (bodies keep their whitespace). */
export function rawTextOf (element: XmlElement, uri: string, local: string): string {
  return childOf(element, uri, local)?.text ?? ''
}

/** An element name for messages: `<feed> in http://www.w3.org/2005/Atom`. */
export function describeName (name: XmlName): string {
  return name.uri === '' ? `<${name.local}>` : `<${name.local}> in ${name.uri}`
}
