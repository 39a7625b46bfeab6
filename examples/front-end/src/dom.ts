type Child = Node | string | null | undefined | false

/** An element with attributes and children; strings become text, never markup. */
export function h (tag: string, attributes: Record<string, string> = {}, ...children: Array<Child | Child[]>): HTMLElement {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    element.append(child)
  }
  return element
}

// What the API's sanitiser lets through in article bodies, comments and snippets. The API
// cleans every one; the page keeps only these as well, so a change there cannot open a hole here.
const allowedTags = new Set(['P', 'BR', 'A', 'B', 'STRONG', 'I', 'EM', 'U', 'S', 'MARK', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'H2', 'H3', 'H4', 'PRE', 'CODE', 'FIGURE', 'FIGCAPTION', 'HR', 'SUB', 'SUP'])

function safeHref (href: string | null): string | null {
  if (href === null) return null
  try {
    const url = new URL(href, window.location.href)
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null
  } catch {
    return null
  }
}

function copyAllowed (from: Node, to: Node): void {
  for (const node of Array.from(from.childNodes)) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode(node.textContent ?? ''))
      continue
    }
    if (!(node instanceof Element)) continue
    if (!allowedTags.has(node.tagName)) {
      // Unknown elements keep their text, never their markup (a <script>'s text is dropped).
      if (node.tagName !== 'SCRIPT' && node.tagName !== 'STYLE') copyAllowed(node, to)
      continue
    }
    const copy = document.createElement(node.tagName.toLowerCase())
    if (node.tagName === 'A') {
      const href = safeHref(node.getAttribute('href'))
      if (href !== null) copy.setAttribute('href', href)
      copy.setAttribute('rel', 'nofollow noopener ugc')
    }
    copyAllowed(node, copy)
    to.appendChild(copy)
  }
}

/** HTML the API sent (already sanitised there), as nodes: allowed tags only, no attributes but safe links. */
export function sanitisedHtml (html: string): DocumentFragment {
  // A <template> parses without running scripts or loading images.
  const template = document.createElement('template')
  template.innerHTML = html
  const fragment = document.createDocumentFragment()
  copyAllowed(template.content, fragment)
  return fragment
}

export function commentCountText (count: number): string {
  if (count === 0) return 'No comments'
  return count === 1 ? '1 comment' : `${count} comments`
}

export function timeText (iso: string | null): string {
  if (iso === null) return ''
  return new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC'
}
