import type { Store } from '../../db/store.js'
import { invalid } from '../../errors.js'
import type { Principal } from '../../lib/principal.js'
import { acceptedHttpUrl, singleLine } from '../../lib/values.js'
import { mediaQueries } from '../media/queries.js'
import { assertAttachable, presentImage } from '../media/service.js'
import { seoQueries, type SeoOwner, type SeoValues } from './queries.js'
import type { SeoBody, SeoPatchBody, StoredSeoBody } from './schemas.js'

/** What an owner without a row has: every field falls back. */
export const noSeo: Readonly<SeoValues> = Object.freeze({
  title: null,
  description: null,
  canonicalUrl: null,
  noindex: false,
  socialTitle: null,
  socialDescription: null,
  socialImageId: null
})

const seoKeys = Object.keys(noSeo) as Array<keyof SeoValues>

function isEmpty (values: SeoValues): boolean {
  return seoKeys.every((key) => values[key] === noSeo[key])
}

function sameSeo (a: SeoValues, b: SeoValues): boolean {
  return seoKeys.every((key) => a[key] === b[key])
}

/** Each owner's fields as written (`noSeo` for those without), for a unit of work that changes them. */
export async function seoValuesOf (store: Store, owner: SeoOwner, ids: number[]): Promise<Map<number, SeoValues>> {
  const rows = await seoQueries(store).seoByOwner(owner, ids)
  return new Map(ids.map((id) => {
    const row = rows.get(id)
    if (row === undefined) return [id, noSeo]
    const { socialImage: _image, ...values } = row
    return [id, values]
  }))
}

/** Each owner's `seo` as answered, the social image ready to show (one query for them all). */
export async function presentSeo (store: Store, owner: SeoOwner, ids: number[]): Promise<Map<number, SeoBody>> {
  const rows = await seoQueries(store).seoByOwner(owner, ids)
  return new Map(ids.map((id) => {
    const row = rows.get(id)
    if (row === undefined) return [id, { ...storedSeo(noSeo), socialImage: null }]
    const { socialImageId: _id, socialImage, ...text } = row
    return [id, { ...text, socialImage: socialImage === null ? null : presentImage(socialImage) }]
  }))
}

/** Head tags hold one line: runs of spaces and line breaks fold into one space. */
function oneLine (text: string | null): string | null {
  return text === null ? null : text.replace(/\s+/g, ' ').trim()
}

/** `current` with a write's `seo` applied: the fields given, checked; `path` names the field in a 400. */
async function patched (tx: Store, current: SeoValues, patch: SeoPatchBody, viewer: Principal, path: string): Promise<SeoValues> {
  const next: SeoValues = { ...current }
  if (patch.title !== undefined) next.title = oneLine(patch.title)
  if (patch.description !== undefined) next.description = oneLine(patch.description)
  if (patch.socialTitle !== undefined) next.socialTitle = oneLine(patch.socialTitle)
  if (patch.socialDescription !== undefined) next.socialDescription = oneLine(patch.socialDescription)
  if (patch.noindex !== undefined) next.noindex = patch.noindex
  if (patch.canonicalUrl !== undefined) next.canonicalUrl = patch.canonicalUrl === null ? null : checkedCanonicalUrl(patch.canonicalUrl, `${path}.canonicalUrl`)
  if (patch.socialImage !== undefined && patch.socialImage !== current.socialImageId) {
    if (patch.socialImage !== null) await assertAttachable(tx, patch.socialImage, viewer, `${path}.socialImage`)
    next.socialImageId = patch.socialImage
  }
  return next
}

function checkedCanonicalUrl (raw: string, path: string): string {
  const url = acceptedHttpUrl(raw)
  if (url === null) throw invalid(path, 'is not an absolute http(s) URL')
  return url
}

/**
 * Applies a write's `seo` to the owner whose fields are `current` (`noSeo` for one just made),
 * in the caller's unit of work; answers whether anything changed (for the change log's field
 * list and the version).
 */
export async function writeSeo (tx: Store, owner: SeoOwner, id: number, current: SeoValues, patch: SeoPatchBody | undefined, viewer: Principal, path = 'body.seo'): Promise<boolean> {
  if (patch === undefined) return false
  const next = await patched(tx, current, patch, viewer, path)
  if (sameSeo(current, next)) return false
  await seoQueries(tx).replaceSeo(owner, id, isEmpty(next) ? null : next)
  return true
}

/** The fields as a revision, a trashed item or an export line keeps them. */
export function storedSeo (values: SeoValues): StoredSeoBody {
  const { socialImageId, ...text } = values
  return { ...text, socialImage: socialImageId }
}

/** A social image a restore names again, if it was not deleted meanwhile (else null: the fallback). */
export async function imageStill (store: Store, mediaId: number | null): Promise<number | null> {
  return mediaId !== null && await mediaQueries(store).mediaById(mediaId) !== undefined ? mediaId : null
}

/**
 * Puts fields in as they are, unchecked (an import's, whose image it has just found); answers
 * whether any is set.
 */
export async function putSeo (tx: Store, owner: SeoOwner, id: number, stored: StoredSeoBody | null | undefined): Promise<boolean> {
  const { socialImage, ...text } = stored ?? storedSeo(noSeo)
  const values: SeoValues = { ...text, socialImageId: socialImage }
  await seoQueries(tx).replaceSeo(owner, id, isEmpty(values) ? null : values)
  return !isEmpty(values)
}

/** Puts kept fields back (a restore from the trash): the image may have been deleted meanwhile, and then falls back. */
export async function restoreSeo (tx: Store, owner: SeoOwner, id: number, stored: StoredSeoBody | null | undefined): Promise<boolean> {
  return await putSeo(tx, owner, id, stored == null ? stored : { ...stored, socialImage: await imageStill(tx, stored.socialImage) })
}

/**
 * A source's metadata as the API would have taken it: text on one line within the limits,
 * the canonical URL an absolute http(s) one. Answers the fields left out, for the report.
 */
export function importedSeo (text: Omit<StoredSeoBody, 'socialImage'>, socialImage: number | null): { stored: StoredSeoBody, refused: string[] } {
  const line = (value: string | null, max: number) => value === null ? null : singleLine(value, max) || null
  const canonicalUrl = text.canonicalUrl === null ? null : acceptedHttpUrl(text.canonicalUrl)
  return {
    stored: {
      title: line(text.title, 300),
      description: line(text.description, 1000),
      canonicalUrl,
      noindex: text.noindex,
      socialTitle: line(text.socialTitle, 300),
      socialDescription: line(text.socialDescription, 1000),
      socialImage
    },
    refused: text.canonicalUrl !== null && canonicalUrl === null ? ['canonical URL'] : []
  }
}
