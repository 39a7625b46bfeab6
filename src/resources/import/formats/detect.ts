import type { ImportFormat } from '../records.js'
import { ns } from './namespaces.js'

// Recognises a format from the first few kilobytes of text (mapping guide §2), by namespace
// URI and structure, never by a file name or a literal tag prefix (`ns0:feed` exists).

/** Characters read before deciding. */
export const headChars = 16 * 1024

export function detectFormat (head: string): ImportFormat | null {
  const text = head.replace(/^\uFEFF/, '').trimStart()
  if (text.startsWith('{')) return jsonObjectFormat(text)
  if (text.startsWith('[')) return 'blogger-api'
  if (text.startsWith('<')) return xmlFormat(text)
  return null
}

function jsonObjectFormat (text: string): ImportFormat | null {
  const firstLine = text.split('\n', 1)[0] ?? ''
  if (isDatelineHeader(firstLine)) return 'ndjson'
  return /"kind"\s*:\s*"blogger#/.test(text) ? 'blogger-api' : null
}

function isDatelineHeader (line: string): boolean {
  try {
    const header: unknown = JSON.parse(line)
    return typeof header === 'object' && header !== null && (header as Record<string, unknown>).type === 'header' && (header as Record<string, unknown>).format === 'dateline'
  } catch {
    return false
  }
}

function xmlFormat (text: string): ImportFormat | null {
  const root = rootElement(text)
  if (root === null) return null
  if (root.local === 'feed' && root.uri === ns.atom) return bloggerSchema(text)
  if (root.local === 'rss' && root.uri === '' && isWordPressExport(text)) return 'wxr'
  return null
}

function bloggerSchema (text: string): ImportFormat | null {
  if (text.includes(ns.blogger2018)) return 'blogger-2018'
  const blogger = text.includes('http://schemas.google.com/g/2005#kind') || text.includes('tag:blogger.com,1999:blog-') || />\s*Blogger\s*<\/(?:[\w.-]+:)?generator>/.test(text)
  // A plain Atom feed (mapping guide §7) is not imported yet.
  return blogger ? 'blogger-legacy' : null
}

function isWordPressExport (text: string): boolean {
  return /["']https?:\/\/wordpress\.org\/export\/1\.\d+\/["']/.test(text) || /<(?:[\w.-]+:)?wxr_version>/.test(text)
}

interface RootName { uri: string, local: string }

const prologItem = /\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->/y
const startTag = /<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/y
const attribute = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

/** The root element's namespace and local name, past the XML declaration, PIs and comments. */
function rootElement (text: string): RootName | null {
  let at = 0
  for (;;) {
    prologItem.lastIndex = at
    if (prologItem.exec(text) === null) break
    at = prologItem.lastIndex
  }
  startTag.lastIndex = at
  const tag = startTag.exec(text)
  if (tag === null) return null
  const [prefix, local] = (tag[1] ?? '').includes(':') ? (tag[1] ?? '').split(':') as [string, string] : ['', tag[1] ?? '']
  const declarations = namespaceDeclarations(tag[2] ?? '')
  return { uri: declarations.get(prefix) ?? '', local }
}

function namespaceDeclarations (attributes: string): Map<string, string> {
  const declarations = new Map<string, string>()
  for (const [, name, double, single] of attributes.matchAll(attribute)) {
    if (name === 'xmlns') declarations.set('', double ?? single ?? '')
    else if (name?.startsWith('xmlns:') === true) declarations.set(name.slice(6), double ?? single ?? '')
  }
  return declarations
}

/** Where a DOCTYPE starts in the head, for the error that refuses it. */
export function doctypePosition (head: string): { line: number, column: number } | null {
  const index = head.indexOf('<!DOCTYPE')
  if (index < 0) return null
  const before = head.slice(0, index)
  const line = before.split('\n').length
  return { line, column: index - before.lastIndexOf('\n') }
}
