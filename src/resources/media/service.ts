import type { Store } from '../../db/store.js'
import { Conflict, Forbidden, invalid, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import { mapPage, parseSort, readPage, type Page } from '../../lib/list.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { nowIso } from '../../lib/time.js'
import { noteArticlesUpdated } from '../articles/changes.js'
import { articleQueries } from '../articles/queries.js'
import { notePageChange } from '../pages/changes.js'
import { pageQueries } from '../pages/queries.js'
import { seoQueries, type SeoOwner } from '../seo/queries.js'
import { noteMediaChange } from './changes.js'
import { mimeTypes, type ImageFormat, type ProcessedImage, type Variant } from './images.js'
import { mediaQueries, type MediaRow, type NewMediaRow } from './queries.js'
import { mediaSortFields, type FeaturedImageBody, type MediaBody, type MediaListQueryString, type MediaPatchBody, type UploadFieldsBody } from './schemas.js'
import { newMediaKey, originalFileName, type MediaStore } from './storage.js'

/** The version an item's ETag carries, for `If-Match`. */
export function mediaVersion (row: Pick<MediaRow, 'id' | 'version'>): string {
  return `media-${row.id}-${row.version}`
}

function variantsOf (row: MediaRow): Variant[] {
  return JSON.parse(row.variants) as Variant[]
}

function variantUrl (row: Pick<MediaRow, 'key'>, file: string): string {
  return `/media/${row.key}/${file}`
}

function srcsetOf (row: MediaRow, variants: Variant[], format: ImageFormat): string {
  return variants.filter((variant) => variant.format === format).map((variant) => `${variantUrl(row, variant.file)} ${variant.width}w`).join(', ')
}

/** The format every browser shows: what `url` and `srcset` use; the others go in `sources`. */
const fallbackFormats: ImageFormat[] = ['jpeg', 'png', 'gif']
/** `<source>`s best first: a browser takes the first it can show. */
const modernFormats: ImageFormat[] = ['avif', 'webp']

/** An upload's largest file in a format every browser shows; undefined for an external item. */
export function largestFallbackVariant (row: MediaRow, variants = variantsOf(row)): Variant | undefined {
  return variants.filter((variant) => fallbackFormats.includes(variant.format)).at(-1)
}

/** An image as articles embed it (`variants`: the row's, when the caller has read them). */
export function presentImage (row: MediaRow, variants = variantsOf(row)): FeaturedImageBody {
  const largest = largestFallbackVariant(row, variants)
  return {
    id: row.id,
    url: largest === undefined ? (row.externalUrl ?? '') : variantUrl(row, largest.file),
    width: row.width,
    height: row.height,
    alt: row.alt,
    caption: row.caption,
    credit: row.credit,
    srcset: largest === undefined ? '' : srcsetOf(row, variants, largest.format),
    sources: modernFormats.filter((format) => variants.some((variant) => variant.format === format))
      .map((format) => ({ type: mimeTypes[format], srcset: srcsetOf(row, variants, format) })),
    placeholder: row.placeholder,
    dominantColor: row.dominantColor,
    focalPoint: { x: row.focalX, y: row.focalY }
  }
}

/** An item as the media library shows it. */
export function presentMedia (row: MediaRow): MediaBody {
  const variants = variantsOf(row)
  return {
    ...presentImage(row, variants),
    source: row.source,
    fileName: row.fileName,
    type: row.format === null ? null : mimeTypes[row.format as ImageFormat],
    bytes: row.bytes,
    animated: row.animated,
    externalUrl: row.externalUrl,
    ownerAuthorId: row.ownerAuthorId,
    variants: variants.map((variant) => ({ url: variantUrl(row, variant.file), type: mimeTypes[variant.format], width: variant.width, height: variant.height, bytes: variant.bytes })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
}

/** The featured image of each article that has one, read for all of them at once. */
export async function featuredImages (store: Store, articleIds: number[]): Promise<Map<number, FeaturedImageBody>> {
  const rows = await mediaQueries(store).featuredMediaByArticle(articleIds)
  // An image featured on several articles is presented once.
  const presented = new Map<number, FeaturedImageBody>()
  const byArticle = new Map<number, FeaturedImageBody>()
  for (const [articleId, row] of rows) {
    const image = presented.get(row.id) ?? presentImage(row)
    presented.set(row.id, image)
    byArticle.set(articleId, image)
  }
  return byArticle
}

/** One file of an image, for documents that name a single file (feeds); root-relative like `url`. */
export interface ImageFile {
  url: string
  /** Null, as are the sizes, for an imported image not fetched yet: its `externalUrl`. */
  type: string | null
  width: number | null
  height: number | null
  bytes: number | null
}

/**
 * The largest variant at most `maxWidth` wide in the format every browser shows (the smallest
 * if none is that narrow), or an imported image's own address; null for neither.
 */
export function imageFileFor (row: MediaRow, maxWidth: number): ImageFile | null {
  const fallback = variantsOf(row).filter((variant) => fallbackFormats.includes(variant.format))
  const chosen = fallback.filter((variant) => variant.width <= maxWidth).at(-1) ?? fallback[0]
  if (chosen !== undefined) return { url: variantUrl(row, chosen.file), type: mimeTypes[chosen.format], width: chosen.width, height: chosen.height, bytes: chosen.bytes }
  return row.externalUrl === null ? null : { url: row.externalUrl, type: null, width: null, height: null, bytes: null }
}

async function findRow (store: Store, id: number, forUpdate = false): Promise<MediaRow> {
  const queries = mediaQueries(store)
  const row = forUpdate ? await queries.mediaByIdForUpdate(id) : await queries.mediaById(id)
  if (row === undefined) throw new NotFound(`There is no media item ${id}`)
  return row
}

/** Authors may change (and attach) only the images they uploaded; editors and admins, any. */
function mayChange (viewer: Principal, row: MediaRow): boolean {
  return hasRole(viewer, 'editor') || (viewer.authorId !== null && row.ownerAuthorId === viewer.authorId)
}

function assertMayChange (viewer: Principal, row: MediaRow): void {
  if (!mayChange(viewer, row)) throw new Forbidden(`Media item ${row.id} was uploaded by another author: an author token may change only its own`)
}

/**
 * The image an article's write names as its featured image, checked: it exists, and an
 * author may attach only its own. `path` names the field in the 400 or 403.
 */
export async function assertAttachable (store: Store, mediaId: number, viewer: Principal, path: string): Promise<void> {
  const row = await mediaQueries(store).mediaById(mediaId)
  if (row === undefined) throw invalid(path, `is media item ${mediaId}, which does not exist`)
  if (!mayChange(viewer, row)) throw Object.assign(new Forbidden(`${path} is media item ${mediaId}, uploaded by another author: an author token may attach only its own`), { errors: [{ path, message: 'was uploaded by another author' }] })
}

/** Our images a body shows, by the key in their URLs (`/media/{key}/…`, however the URL starts). */
const inlineImageKey = /\/media\/([0-9a-f]{20})\//g

/**
 * Records which of our images an article's body shows, so that deleting one it shows is
 * refused like deleting its featured image. Keys of images that no longer exist are ignored.
 */
export async function noteInlineImages (tx: Store, articleId: number, body: string): Promise<void> {
  const keys = [...new Set(Array.from(body.matchAll(inlineImageKey), (match) => match[1]!))]
  const queries = mediaQueries(tx)
  await queries.replaceInline(articleId, await queries.idsByKeys(keys))
}

const maxSearchWords = 8

export async function list (store: Store, query: MediaListQueryString): Promise<Page<MediaBody>> {
  const sort = parseSort(query.sort, mediaSortFields, '-createdAt')
  const words = [...new Set((query.q ?? '').toLowerCase().split(/\s+/).filter((word) => word !== ''))].slice(0, maxSearchWords)
  const filters = { words, ...(query.owner === undefined ? {} : { ownerAuthorId: query.owner }) }
  const queries = mediaQueries(store)
  const page = await readPage(query, sort, {
    count: async (after) => await queries.countMedia(filters, after === undefined ? undefined : sort, after),
    fetch: async (after, limit, offset) => await queries.pageOfMedia({ filters, sort, after, limit, offset }),
    cursorOf: (row) => row.sortValues
  })
  return await mapPage(page, (rows) => rows.map(presentMedia))
}

export async function findOne (store: Store, id: number): Promise<{ media: MediaBody, version: string }> {
  const row = await findRow(store, id)
  return { media: presentMedia(row), version: mediaVersion(row) }
}

export interface Upload {
  fileName: string
  original: Buffer
  image: ProcessedImage
  fields: UploadFieldsBody
}

/** Writes an upload's files under a new key, all in place when it answers the key. */
export async function writeFiles (media: MediaStore, upload: Pick<Upload, 'original' | 'image'>): Promise<string> {
  const key = newMediaKey()
  await media.put(key, [{ name: originalFileName, data: upload.original }, ...upload.image.variants.map((variant) => ({ name: variant.file, data: variant.data }))])
  return key
}

/** What a row says of an upload's files under `key`: a new upload's, or an external item's once fetched. */
export function uploadColumns (key: string, original: Buffer, image: ProcessedImage): Pick<NewMediaRow, 'key' | 'source' | 'format' | 'width' | 'height' | 'bytes' | 'animated' | 'dominantColor' | 'placeholder' | 'variants'> {
  return {
    key,
    source: 'upload',
    format: image.format,
    width: image.width,
    height: image.height,
    bytes: original.length,
    animated: image.animated,
    dominantColor: image.dominantColor,
    placeholder: image.placeholder,
    variants: JSON.stringify(image.variants.map(({ data: _data, ...variant }) => variant))
  }
}

/** The row of an upload whose files are under `key`, in the unit of work `tx`. */
export async function insertUpload (tx: Store, key: string, upload: Upload, ownerAuthorId: number | null): Promise<MediaRow> {
  const now = nowIso()
  return await mediaQueries(tx).insertMedia({
    ...uploadColumns(key, upload.original, upload.image),
    ownerAuthorId,
    fileName: upload.fileName,
    alt: upload.fields.alt ?? '',
    caption: upload.fields.caption ?? '',
    credit: upload.fields.credit ?? '',
    focalX: 0.5,
    focalY: 0.5,
    externalUrl: null,
    version: 1,
    createdAt: now,
    updatedAt: now
  })
}

/**
 * Records an upload. Its files are written before the row that names them, and removed again
 * if the row cannot be written: a reader never finds a row without its files. (A SQLite unit
 * of work may not wait for the disk while it holds the write lock, so the files cannot be
 * moved into place as the unit's last step.)
 */
export async function createOne (store: Store, media: MediaStore, upload: Upload, viewer: Principal): Promise<{ media: MediaBody, version: string }> {
  const key = await writeFiles(media, upload)
  try {
    return await store.transaction(async (tx) => {
      const row = await insertUpload(tx, key, upload, viewer.authorId)
      noteMediaChange(tx, { media: row, kind: 'created', fields: createdFields, now: row.createdAt })
      return { media: presentMedia(row), version: mediaVersion(row) }
    })
  } catch (error) {
    await media.remove(key)
    throw error
  }
}

/** What an upload writes, by API name, for its change-log entry. */
const createdFields = ['url', 'width', 'height', 'alt', 'caption', 'credit', 'srcset', 'sources', 'placeholder', 'dominantColor', 'focalPoint']

/** The API names of the fields a PATCH changed (none when it wrote what was there). */
function changedMediaFields (before: MediaRow, after: MediaRow): string[] {
  const fields = (['alt', 'caption', 'credit'] as const).filter((field) => before[field] !== after[field])
  return before.focalX !== after.focalX || before.focalY !== after.focalY ? [...fields, 'focalPoint'] : fields
}

export async function updateOne (store: Store, id: number, patch: MediaPatchBody, viewer: Principal, ifMatch: string | undefined): Promise<{ media: MediaBody, version: string }> {
  return await store.transaction(async (tx) => {
    const current = await findRow(tx, id, true)
    assertMayChange(viewer, current)
    assertIfMatch(ifMatch, mediaVersion(current))
    const { focalPoint, ...text } = patch
    const row = await mediaQueries(tx).updateMedia(id, {
      ...text,
      ...(focalPoint === undefined ? {} : { focalX: focalPoint.x, focalY: focalPoint.y }),
      updatedAt: nowIso()
    })
    noteMediaChange(tx, { media: row, kind: 'updated', fields: changedMediaFields(current, row), now: row.updatedAt })
    return { media: presentMedia(row), version: mediaVersion(row) }
  })
}

/** Uses named in a refusal: enough to find them, not a list without end. */
const usesNamed = 20

/**
 * Deletes an item and its files. One in use is refused with the articles using it, unless
 * `force` (editors) takes it off them first, each article moving its version on.
 */
export async function removeOne (store: Store, media: MediaStore, id: number, force: boolean, viewer: Principal, ifMatch: string | undefined): Promise<void> {
  const key = await store.transaction(async (tx) => {
    const current = await findRow(tx, id, true)
    assertMayChange(viewer, current)
    assertIfMatch(ifMatch, mediaVersion(current))
    const queries = mediaQueries(tx)
    const inArticles = await queries.usesOf(id, usesNamed)
    const shared = await seoQueries(tx).socialImageUses(id, usesNamed)
    const total = inArticles.total + shared.total
    if (total > 0 && !force) {
      const named = [
        ...inArticles.uses.map((use) => `article ${use.articleId} (${use.use})`),
        ...shared.uses.map((use) => `${use.owner} ${use.id} (social)`)
      ]
      throw new Conflict(`Media item ${id} is used ${total === 1 ? 'once' : `${total} times`}: ${named.slice(0, usesNamed).join(', ')}${total > usesNamed ? ', …' : ''}. Take it off those articles and pages, or delete with force=true to do so`)
    }
    if (total > 0) {
      if (!hasRole(viewer, 'editor')) throw new Forbidden('force=true takes the image off other people\'s articles too: it needs an editor token or above')
      const now = nowIso()
      noteArticlesUpdated(tx, await queries.detachEverywhere(id, now), ['featuredImage'], now)
      await dropSocialImage(tx, id, now)
    }
    await queries.deleteMedia(id)
    noteMediaChange(tx, { media: current, kind: 'deleted', fields: [], now: nowIso() })
    return current.key
  })
  // After the commit: a crash before this leaves files no row names, never a row without its files.
  await media.remove(key)
}

/** Takes the image off the articles and pages a shared link shows it for, moving their versions on. */
async function dropSocialImage (tx: Store, mediaId: number, now: string): Promise<void> {
  const uses = await seoQueries(tx).dropSocialImage(mediaId)
  const idsOf = (owner: SeoOwner): number[] => uses.filter((use) => use.owner === owner).map((use) => use.id)
  noteArticlesUpdated(tx, await articleQueries(tx).touchArticlesById(idsOf('article'), now), ['seo'], now)
  for (const page of await pageQueries(tx).touchPages(idsOf('page'), now)) {
    notePageChange(tx, { page, kind: 'updated', fields: ['seo'], statusBefore: page.status, statusAfter: page.status, now })
  }
}

/** A media item an import made or updates, read locked (as the import's other `findImported…`). */
export async function findImportedMedia (store: Store, id: number): Promise<MediaRow | undefined> {
  return await mediaQueries(store).mediaByIdForUpdate(id)
}

export interface ImportedMediaValues {
  /** The image's address in the export. */
  url: string
  fileName: string
  alt: string
  caption: string
  /** Dateline's own export only: its credit and focal point (else none, and the middle). */
  credit?: string
  focalPoint?: { x: number, y: number }
  ownerAuthorId: number | null
  createdAt: string
  updatedAt: string
  /** The id to give a new item when it is free (Dateline's own export, so a round trip keeps ids). */
  preferredId?: number
}

/**
 * Writes an image an import names by address: a new external item (no files; `dateline
 * media fetch` brings them), or, when the export changed, the earlier one's words. One fetched
 * since keeps its files and file name: the address it came from no longer says what it is.
 */
export async function writeImportedMedia (store: Store, values: ImportedMediaValues, existing: MediaRow | undefined): Promise<MediaRow> {
  const queries = mediaQueries(store)
  const words = {
    alt: values.alt,
    caption: values.caption,
    ...(values.credit === undefined ? {} : { credit: values.credit }),
    ...(values.focalPoint === undefined ? {} : { focalX: values.focalPoint.x, focalY: values.focalPoint.y })
  }
  if (existing !== undefined) {
    return await queries.updateMedia(existing.id, {
      ...words,
      ...(existing.source === 'external' ? { externalUrl: values.url, fileName: values.fileName } : {}),
      updatedAt: values.updatedAt
    })
  }
  const preferredIdFree = values.preferredId !== undefined && await queries.mediaById(values.preferredId) === undefined
  return await queries.insertMedia({
    ...(preferredIdFree ? { id: values.preferredId } : {}),
    key: newMediaKey(),
    source: 'external',
    ownerAuthorId: values.ownerAuthorId,
    fileName: values.fileName,
    format: null,
    width: null,
    height: null,
    bytes: null,
    animated: false,
    credit: '',
    focalX: 0.5,
    focalY: 0.5,
    ...words,
    dominantColor: null,
    placeholder: null,
    variants: '[]',
    externalUrl: values.url,
    version: 1,
    createdAt: values.createdAt,
    updatedAt: values.updatedAt
  })
}

/** Keys looked up per query by the sweep: well under SQLite's bound on a statement's values. */
const sweepBatch = 500

/**
 * Removes images' files no row names: an upload's files are in place before its row is
 * written, so a process that died between the two left them behind. Only files older than
 * `abandonedAfterMs` are looked at: another instance's upload may be between the two now.
 * Answers how many images' files were removed.
 */
export async function sweepOrphanFiles (store: Store, media: MediaStore, abandonedAfterMs: number): Promise<number> {
  const keys = await media.keysOlderThan(abandonedAfterMs)
  let removed = 0
  for (let start = 0; start < keys.length; start += sweepBatch) {
    const batch = keys.slice(start, start + sweepBatch)
    const named = new Set(await mediaQueries(store).keysNamed(batch))
    for (const key of batch.filter((candidate) => !named.has(candidate))) {
      await media.remove(key)
      removed++
    }
  }
  return removed
}
