import type { ImportedArticle, ImportedAuthor, ImportedMedia, ImportedPage, ImportedSeo, ImportRecord, SkippedRow } from '../records.js'
import { liveStatus, type ReadContext, skip } from './context.js'
import { fileNameOf, imageAddress, notAnImage } from './media.js'
import { ns } from './namespaces.js'
import { autop, distinct, percentDecoded, plainText, shortcodesIn, sourceSlug } from './text.js'
import { utcFromWxrGmt } from './timestamps.js'
import { itemComments } from './wxr-comments.js'
import { localTime, noteSiteOffset, type PostTime, type WxrState } from './wxr-state.js'
import { childrenOf, rawTextOf, textOf, type XmlElement } from './xml-tree.js'

// One WXR `item` (a row of wp_posts). Posts become articles, image attachments media items
// (a post's `_thumbnail_id` names its featured one); the item's comments follow their
// article, or are skipped with it.

export function * wxrItem (item: XmlElement, state: WxrState): Generator<ImportRecord> {
  const id = textOf(item, ns.wp, 'post_id')
  if (id === '') {
    yield skip('other', null, `item without wp:post_id (line ${item.line})`)
    return
  }
  noteSiteOffset(item, state)
  if (textOf(item, ns.wp, 'post_type') === 'attachment') {
    const attachment = attachmentOf(item, id, state)
    yield attachment
    yield * itemComments(item, id, state, attachment.kind === 'skip' ? attachment.reason : 'an attachment')
    return
  }
  if (textOf(item, ns.wp, 'post_type') === 'page' && textOf(item, ns.wp, 'status') !== 'trash') {
    yield page(item, id, state)
    yield * itemComments(item, id, state, 'page')
    return
  }
  const skipped = skippedItem(item, id)
  if (skipped !== null) {
    yield skipped
    yield * itemComments(item, id, state, skipped.reason)
    return
  }
  const author = yield * itemAuthor(item, state)
  yield article(item, id, author, state)
  yield * itemComments(item, id, state, null)
}

function skippedItem (item: XmlElement, id: string): SkippedRow | null {
  const type = textOf(item, ns.wp, 'post_type') || 'post'
  if (type === 'page') return skip('page', id, 'trashed')
  if (type !== 'post') return skip('other', id, `post type ${type}`)
  if (textOf(item, ns.wp, 'status') === 'trash') return skip('article', id, 'trashed')
  return null
}

interface ItemAuthor {
  sourceId: string | null
  note: string | null
}

/** The item's author (dc:creator, a login); in WXR 1.0 the first mention creates the author. */
function * itemAuthor (item: XmlElement, state: WxrState): Generator<ImportedAuthor, ItemAuthor> {
  const login = textOf(item, ns.dc, 'creator')
  if (login === '') return { sourceId: null, note: null }
  if (state.hasAuthor(login)) return { sourceId: login, note: null }
  if (state.listsAuthors) return { sourceId: null, note: `author "${login}" is not in the file's author list: imported under the default author` }
  state.addAuthor(login, false)
  yield { kind: 'author', source: { site: state.site, id: login }, name: login, slug: login, email: null, bio: null, avatarUrl: null, url: null }
  return { sourceId: login, note: null }
}

function article (item: XmlElement, id: string, author: ItemAuthor, state: WxrState): ImportedArticle {
  const notes: string[] = author.note === null ? [] : [author.note]
  const posted = postTime(item, state)
  const status = articleStatus(item, posted.at, notes, state.context)
  if (status !== 'draft' && posted.note !== null) notes.push(posted.note)
  const body = rawTextOf(item, ns.content, 'encoded')
  const shortcodes = shortcodesIn(body)
  if (shortcodes.length > 0) notes.push(`shortcodes kept as text: ${shortcodes.map((name) => `[${name}]`).join(', ')}`)
  const link = textOf(item, '', 'link')
  return {
    kind: 'article',
    source: { site: state.site, id },
    title: plainText(rawTextOf(item, '', 'title')),
    slug: sourceSlug(textOf(item, ns.wp, 'post_name')),
    body: autop(body),
    excerpt: plainText(rawTextOf(item, ns.wpExcerpt, 'encoded')) || null,
    status,
    publishedAt: status === 'draft' ? null : posted.at,
    createdAt: posted.at,
    updatedAt: utcFromWxrGmt(textOf(item, ns.wp, 'post_modified_gmt')) ?? posted.at,
    labels: itemLabels(item),
    authorSourceId: author.sourceId,
    sourceUrl: link === '' ? null : link,
    notes,
    ...featuredImage(item),
    ...oldSlugs(item),
    ...seoOf(item, notes)
  }
}

/** A WordPress page: published when WordPress shows it, else a draft; `menu_order` is its position. */
function page (item: XmlElement, id: string, state: WxrState): ImportedPage {
  const posted = postTime(item, state)
  const parent = textOf(item, ns.wp, 'post_parent')
  const order = Number(textOf(item, ns.wp, 'menu_order'))
  return {
    kind: 'page',
    source: { site: state.site, id },
    title: plainText(rawTextOf(item, '', 'title')),
    slug: sourceSlug(textOf(item, ns.wp, 'post_name')),
    body: autop(rawTextOf(item, ns.content, 'encoded')),
    excerpt: plainText(rawTextOf(item, ns.wpExcerpt, 'encoded')) || null,
    status: textOf(item, ns.wp, 'status') === 'publish' && textOf(item, ns.wp, 'post_password') === '' ? 'published' : 'draft',
    parentSourceId: parent === '' || parent === '0' ? null : parent,
    position: Number.isSafeInteger(order) && order > 0 ? order : 0,
    createdAt: posted.at,
    updatedAt: utcFromWxrGmt(textOf(item, ns.wp, 'post_modified_gmt')) ?? posted.at,
    ...seoOf(item, [])
  }
}

// Where SEO plugins keep a post's metadata: Yoast SEO first, then Jetpack's (WordPress.com).
// Yoast's title may be a template of its variables (`%%title%% %%sep%% %%sitename%%`), which
// only Yoast can fill in: such a value is left out, and the title falls back as usual.
const seoMeta = {
  title: ['_yoast_wpseo_title', 'jetpack_seo_html_title'],
  description: ['_yoast_wpseo_metadesc', 'advanced_seo_description'],
  canonicalUrl: ['_yoast_wpseo_canonical'],
  noindex: ['_yoast_wpseo_meta-robots-noindex', 'jetpack_seo_noindex'],
  socialTitle: ['_yoast_wpseo_opengraph-title'],
  socialDescription: ['_yoast_wpseo_opengraph-description'],
  socialImage: ['_yoast_wpseo_opengraph-image-id']
} as const
const yoastVariable = /%%[a-z_]+%%/i

/** The post's search and social metadata, when a plugin kept any; `notes` hears of what was left out. */
function seoOf (item: XmlElement, notes: string[]): { seo?: ImportedSeo } {
  const first = (keys: readonly string[]) => keys.map((key) => postMeta(item, key).trim()).find((value) => value !== '') ?? null
  const text = (field: 'title' | 'description' | 'socialTitle' | 'socialDescription') => {
    const value = first(seoMeta[field])
    if (value === null || !yoastVariable.test(value)) return value === null ? null : plainText(value) || null
    notes.push(`its SEO ${field} is a Yoast template (${value}): left out`)
    return null
  }
  const image = first(seoMeta.socialImage)
  const noindex = first(seoMeta.noindex)
  const seo: ImportedSeo = {
    title: text('title'),
    description: text('description'),
    canonicalUrl: first(seoMeta.canonicalUrl),
    // Yoast writes 1 for noindex (2 for index, against the site's default); Jetpack 1 or true.
    noindex: noindex === '1' || noindex === 'true',
    socialTitle: text('socialTitle'),
    socialDescription: text('socialDescription'),
    socialMediaSourceId: image !== null && /^\d+$/.test(image) && image !== '0' ? image : null
  }
  const empty = Object.values(seo).every((value) => value === null || value === false)
  return empty ? {} : { seo }
}

/** Every value of a post meta key: WordPress keeps an `_wp_old_slug` per rename. */
function postMetaValues (item: XmlElement, key: string): string[] {
  return childrenOf(item, ns.wp, 'postmeta').filter((element) => textOf(element, ns.wp, 'meta_key') === key).map((meta) => textOf(meta, ns.wp, 'meta_value'))
}

/** A post meta value, '' when the item has none under `key`. */
function postMeta (item: XmlElement, key: string): string {
  return postMetaValues(item, key)[0] ?? ''
}

/** The slugs the post had before a rename (decoded as `post_name` is), when it had any. */
function oldSlugs (item: XmlElement): Pick<ImportedArticle, 'oldSlugs'> {
  const slugs = postMetaValues(item, '_wp_old_slug').map((slug) => percentDecoded(slug.trim())).filter((slug) => slug !== '')
  return slugs.length === 0 ? {} : { oldSlugs: slugs }
}

/** The attachment `_thumbnail_id` names, when the post has a featured image. */
function featuredImage (item: XmlElement): Pick<ImportedArticle, 'featuredMediaSourceId'> {
  const id = postMeta(item, '_thumbnail_id').trim()
  return /^\d+$/.test(id) && id !== '0' ? { featuredMediaSourceId: id } : {}
}

/** An attachment (the file's address, its alt text and caption), or why it is skipped. */
function attachmentOf (item: XmlElement, id: string, state: WxrState): ImportedMedia | SkippedRow {
  const url = imageAddress(textOf(item, ns.wp, 'attachment_url')) ?? imageAddress(textOf(item, '', 'guid'))
  if (url === null) return skip('media', id, 'an attachment without an http(s) address')
  const refused = notAnImage(url, textOf(item, ns.wp, 'post_mime_type'))
  if (refused !== null) return skip('media', id, refused)
  const uploader = textOf(item, ns.dc, 'creator')
  return {
    kind: 'media',
    source: { site: state.site, id },
    url: url.href,
    fileName: fileNameOf(url),
    alt: plainText(postMeta(item, '_wp_attachment_image_alt')),
    caption: plainText(rawTextOf(item, ns.wpExcerpt, 'encoded')),
    authorSourceId: uploader !== '' && state.hasAuthor(uploader) ? uploader : null
  }
}

/** Maps wp:status (and a password, stickiness) to ours, adding the notes the report shows. */
function articleStatus (item: XmlElement, postedAt: string | null, notes: string[], context: ReadContext): ImportedArticle['status'] {
  const sourceStatus = textOf(item, ns.wp, 'status')
  if (textOf(item, ns.wp, 'is_sticky') === '1') notes.push('sticky in source')
  if (textOf(item, ns.wp, 'post_password') !== '') {
    notes.push('password-protected in source: imported as a draft')
    return 'draft'
  }
  if (sourceStatus === 'publish' || sourceStatus === 'future') {
    if (postedAt !== null) return liveStatus(postedAt, context)
    notes.push(`status ${sourceStatus} in source but no date: imported as a draft`)
    return 'draft'
  }
  if (sourceStatus === 'private') notes.push('private in source: imported as a draft')
  else if (!['draft', 'pending', 'auto-draft'].includes(sourceStatus)) notes.push(`status "${sourceStatus}" in source: imported as a draft`)
  return 'draft'
}

/** WXR 1.0 repeats every term without a domain: only the typed copies count. */
const labelDomains = new Set(['category', 'post_tag', 'tag'])

function itemLabels (item: XmlElement): string[] {
  const terms = childrenOf(item, '', 'category').filter((category) => labelDomains.has(category.attributes.domain ?? ''))
  return distinct(terms.map((term) => plainText(term.text)))
}

/** post_date_gmt; for a zero GMT date, the local post_date in the site's zone (mapping guide §5). */
function postTime (item: XmlElement, state: WxrState): PostTime {
  const gmt = utcFromWxrGmt(textOf(item, ns.wp, 'post_date_gmt'))
  if (gmt !== null) return { at: gmt, note: null }
  return localTime(textOf(item, ns.wp, 'post_date'), state)
}
