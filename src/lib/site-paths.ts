// Paths on the front end: written by Dateline (feed links, a redirect's target) and read back
// from the front end (`GET /v1/redirects?path=`). Both sides spell a path one way, so a path a
// browser sent (`/caf%C3%A9`), an editor typed (`/café/`) or a template made compare equal.

/** The longest path, query included, a redirect or a lookup takes: about what browsers and CDNs keep. */
export const maxSitePathLength = 2048

// RFC 3986 allows these in a path segment as they are; encodeURIComponent escapes them.
const pathCharacters = /%(24|26|2B|2C|3B|3D|3A|40)/g

/** A path segment's text as the canonical spelling writes it: escapes decoded, then what must be escaped escaped. */
function segmentText (raw: string): string {
  return encodeURIComponent(decodeURIComponent(raw)).replace(pathCharacters, (escape) => decodeURIComponent(escape))
}

/**
 * `path` (starting with `/`, no query) in its canonical spelling: each segment's escapes
 * decoded and written again the one way, no trailing slash but the root's. Throws a URIError
 * for a malformed escape (`%E0%A4%A`).
 */
export function canonicalPath (path: string): string {
  const spelled = spelledPath(path)
  return spelled.length > 1 ? spelled.replace(/\/+$/, '') || '/' : spelled
}

function spelledPath (text: string): string {
  return text.split('/').map(segmentText).join('/')
}

/**
 * The path of an article on the front end, by the site's template (`DATELINE_ARTICLE_PATH`),
 * spelled as the template spells it (a trailing slash kept): what links and redirects send readers to.
 */
export function articlePathOf (template: string, article: { id: number, slug: string }): string {
  return template.replaceAll('{slug}', encodeURIComponent(article.slug)).replaceAll('{id}', String(article.id))
}

/** What a front-end path says of the article it shows: its id, its slug, or both. */
export interface ArticlePathParts {
  id?: number
  slug?: string
}

/**
 * Reads canonical paths by the template: `/articles/{slug}` → the slug, `/{id}/{slug}` → both;
 * null for a path the template does not make. A name used twice must read the same both times.
 */
export function articlePathReader (template: string): (path: string) => ArticlePathParts | null {
  const names: Array<'id' | 'slug'> = []
  const source = template.replace(/\/+$/, '').split(/(\{id\}|\{slug\})/).map((part) => {
    if (part === '{id}' || part === '{slug}') {
      names.push(part === '{id}' ? 'id' : 'slug')
      return part === '{id}' ? '([1-9][0-9]{0,15})' : '([^/]+)'
    }
    return spelledPath(part).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }).join('')
  const pattern = new RegExp(`^${source}$`)
  return (path) => {
    const match = pattern.exec(path)
    if (match === null) return null
    const parts: ArticlePathParts = {}
    for (const [index, name] of names.entries()) {
      const text = decodeURIComponent(match[index + 1]!)
      const value = name === 'id' ? Number(text) : text
      if (parts[name] !== undefined && parts[name] !== value) return null
      Object.assign(parts, { [name]: value })
    }
    return parts
  }
}
