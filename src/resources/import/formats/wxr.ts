import { type ImportedAuthor, type ImportedLabel, type ImportRecord, MalformedImportError, type SkippedRow } from '../records.js'
import type { ReadContext, RecordBatches } from './context.js'
import { ns } from './namespaces.js'
import { plainText, realEmail, sourceSlug } from './text.js'
import { wxrItem } from './wxr-item.js'
import { WxrState } from './wxr-state.js'
import { describeName, readSubtrees, textOf, type XmlElement, type XmlName } from './xml-tree.js'

// A WordPress export (WXR 1.0, 1.1, 1.2; mapping guide §5): an RSS channel whose children are
// the site's settings, its authors, its terms, then one `item` per row of wp_posts, each with
// its comments. The channel's children are read one at a time, so memory holds one item.

export async function * readWxr (texts: AsyncIterable<string>, context: ReadContext): RecordBatches {
  const state = new WxrState(context)
  const batches = readSubtrees(texts, { checkRoot: rssRoot, collect: (ancestors) => ancestors.length === 2 && ancestors[1]?.local === 'channel' })
  for await (const children of batches) yield children.flatMap((child) => [...channelChild(child, state)])
}

function rssRoot (root: XmlName): void {
  if (root.uri !== '' || root.local !== 'rss') {
    throw new MalformedImportError(`not a WordPress export: the document is a ${describeName(root)}, not an RSS channel`, 1)
  }
}

function * channelChild (child: XmlElement, state: WxrState): Generator<ImportRecord> {
  if (child.uri === ns.wp) yield * wordPressChild(child, state)
  else if (child.uri === '') yield * rssChild(child, state)
}

function * rssChild (child: XmlElement, state: WxrState): Generator<ImportRecord> {
  if (child.local === 'item') {
    yield * wxrItem(child, state)
    return
  }
  if (child.local === 'link') state.link = child.text.trim()
  const setting = channelSettings[child.local]
  const value = setting === undefined ? '' : plainText(child.text)
  if (setting !== undefined && value !== '') yield { kind: 'setting', name: setting, value }
}

/** Channel elements reported as settings, under the names Dateline's settings use. */
const channelSettings: Record<string, string> = { title: 'title', description: 'description', language: 'locale' }

function * wordPressChild (child: XmlElement, state: WxrState): Generator<ImportRecord> {
  if (child.local === 'base_blog_url') {
    state.baseBlogUrl = child.text.trim()
    if (state.baseBlogUrl !== '') yield { kind: 'setting', name: 'url', value: state.baseBlogUrl }
  } else if (child.local === 'author') {
    const author = listedAuthor(child, state)
    if (author !== null) yield author
  } else if (child.local === 'category') {
    yield listedTerm(child, state, { slug: 'category_nicename', name: 'cat_name', description: 'category_description', parent: 'category_parent' })
  } else if (child.local === 'tag') {
    yield listedTerm(child, state, { slug: 'tag_slug', name: 'tag_name', description: 'tag_description' })
  }
}

interface TermFields { slug: string, name: string, description: string, parent?: string }

/**
 * A category or tag of the channel's list: a label, keyed by its slug (a category names its
 * parent by the parent's slug, which may come later in the list). Items name their terms
 * by name, as our articles do.
 */
function listedTerm (element: XmlElement, state: WxrState, fields: TermFields): ImportedLabel | SkippedRow {
  const rawSlug = textOf(element, ns.wp, fields.slug).trim()
  const name = plainText(textOf(element, ns.wp, fields.name))
  if (rawSlug === '' || name === '') return { kind: 'skip', resource: 'label', sourceId: rawSlug === '' ? null : `${element.local}:${rawSlug}`, reason: `a ${element.local} without a ${rawSlug === '' ? 'slug' : 'name'}` }
  const parent = fields.parent === undefined ? '' : textOf(element, ns.wp, fields.parent).trim()
  return {
    kind: 'label',
    // A category and a tag may share a slug: each taxonomy's slugs are their own.
    source: { site: state.site, id: `${element.local}:${rawSlug}` },
    name,
    slug: sourceSlug(rawSlug),
    description: plainText(textOf(element, ns.wp, fields.description)),
    parentSourceId: parent === '' ? null : `${element.local}:${parent}`
  }
}

/** A `wp:author` of the channel's list (WXR 1.1+), keyed by login. */
function listedAuthor (element: XmlElement, state: WxrState): ImportedAuthor | null {
  const login = textOf(element, ns.wp, 'author_login')
  if (login === '' || !state.addAuthor(login, true)) return null
  const fullName = [textOf(element, ns.wp, 'author_first_name'), textOf(element, ns.wp, 'author_last_name')].filter((part) => part !== '').join(' ')
  const name = plainText(textOf(element, ns.wp, 'author_display_name')) || plainText(fullName) || login
  return {
    kind: 'author',
    source: { site: state.site, id: login },
    name,
    slug: login,
    email: realEmail(textOf(element, ns.wp, 'author_email')),
    bio: null,
    avatarUrl: null,
    url: null
  }
}
