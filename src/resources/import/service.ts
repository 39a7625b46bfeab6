import { maxBylineLength } from '../articles/schemas.js'
import type { ImportedResource } from '../../db/schema.js'
import { SqliteStore } from '../../db/sqlite-store.js'
import type { Store } from '../../db/store.js'
import { malformedImport } from '../../errors.js'
import { nowIso } from '../../lib/time.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import type { ArticleRow } from '../articles/queries.js'
import { findImportedArticle, writeImportedArticle } from '../articles/service.js'
import { schedulesChanged } from '../articles/view.js'
import { createImportFallbackAuthor, findImportedAuthor, findImportFallbackAuthor, writeImportedAuthor } from '../authors/service.js'
import { findImportedComment, linkImportedReply, recountImportedArticles, writeImportedComment } from '../comments/service.js'
import { writeImportedDay } from '../dates/service.js'
import { writeImportedRedirect } from '../redirects/service.js'
import { SearchIndexBatch } from '../../search/index.js'
import { isInTrash } from '../trash/service.js'
import { isPageInTrash } from '../page-trash/service.js'
import { findImportedMedia, writeImportedMedia } from '../media/service.js'
import { setImportedParent, writeImportedLabel } from '../labels/service.js'
import { findImportedPage, setImportedPageParent, writeImportedPage } from '../pages/service.js'
import { mediaQueries } from '../media/queries.js'
import type { SeoOwner } from '../seo/queries.js'
import { importedSeo, putSeo } from '../seo/service.js'
import { importQueries, type Stage, type StagedRecord } from './queries.js'
import { digestOf, prepareRecord, type PreparedRecord, type SanitisedBody } from './sanitising.js'
import { readImport, type ReadOptions } from './formats/index.js'
import { readerThreadFromBytes, readInThread } from './reader.js'
import { MalformedImportError, type SourceRef, type ImportedArticle, type ImportedLabel, type ImportedAuthor, type ImportedComment, type ImportedDay, type ImportedMedia, type ImportedPage, type ImportedRedirect, type ImportedSeo, type ImportFormat, type ImportRecord } from './records.js'
import type { ImportReportBody } from './schemas.js'
import { spool, spooledChunks, type ImportSource, type Spooled } from './spool.js'
import { importInWriterThread, writerThreadFor } from './writer.js'

/** An owner this import wrote, with the search and social metadata its source gave. */
interface SeoLink {
  owner: SeoOwner
  id: number
  source: SourceRef
  seo: ImportedSeo
}

export interface ImportOptions {
  format: ImportFormat
  /** Do everything, then roll back: the report says what an import would do. */
  dryRun: boolean
  /** Told how many records were read so far. */
  onRecord?: (records: number) => void
  /** Told when the import's transaction is about to begin. */
  onApply?: () => void
  /** Runs the import's transaction once nothing else writes (a writer thread asks the main thread: writer.ts). */
  exclusively?: <T>(apply: () => Promise<T>) => Promise<T>
}

type Counted = keyof ImportReportBody['counts']
type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped'

const listedAtMost = 1000

/** The report, filled in as the import goes. */
class Report {
  readonly body: ImportReportBody

  constructor (format: ImportFormat, dryRun: boolean) {
    const counts = (): ImportReportBody['counts']['authors'] => ({ created: 0, updated: 0, unchanged: 0, skipped: 0 })
    this.body = { format, dryRun, counts: { authors: counts(), articles: counts(), comments: counts(), media: counts(), days: counts(), redirects: counts(), pages: counts() }, skipped: [], notes: [], settings: [] }
  }

  count (resource: Counted, outcome: Outcome): void {
    this.body.counts[resource][outcome]++
  }

  skip (resource: string, sourceId: string | null, reason: string): void {
    const counted = ({ author: 'authors', article: 'articles', comment: 'comments', media: 'media', day: 'days', redirect: 'redirects', page: 'pages' } as const)[resource]
    if (counted !== undefined) this.count(counted, 'skipped')
    if (this.body.skipped.length < listedAtMost) this.body.skipped.push({ resource, sourceId, reason })
  }

  note (resource: string, sourceId: string | null, note: string): void {
    if (this.body.notes.length < listedAtMost) this.body.notes.push({ resource, sourceId, note })
  }

  setting (name: string, value: string): void {
    if (!this.body.settings.some((setting) => setting.name === name)) this.body.settings.push({ name, value })
  }
}

/** Thrown inside the transaction of a dry run, so everything it wrote is rolled back. */
class DryRunRollback extends Error {}

// A source row is known by its site and id; the separator cannot occur in either.
const stageKey = (site: string, id: string): string => `${site}\u0000${id}`

/**
 * Imports records (from src/resources/import/formats/, prepared: sanitising.ts) in one
 * transaction — all of them or, on an error, nothing — as they are read: authors, articles
 * and images are written as they come (a reader thread prepares those that follow); featured
 * images are linked, and comments and day notes applied, once every article and image is in
 * (an attachment may come after its post, a comment before its article, a reply before its
 * parent). The records must come from a file already here
 * (spool.ts): they are read inside the transaction.
 */
export async function importRecords (store: Store, settings: Pick<SiteSettings, 'timezone'>, records: AsyncIterable<PreparedRecord>, options: ImportOptions): Promise<ImportReportBody> {
  const report = new Report(options.format, options.dryRun)
  const stage = await importQueries(store).createStage()
  try {
    const exclusively = options.exclusively ?? (async (apply) => await apply())
    const counted = countedRecords(records, options.onRecord)
    const inOrder = readsInTransaction(store) ? counted : await allOf(counted)
    try {
      await exclusively(async () => {
        options.onApply?.()
        await store.transaction(async (tx) => {
          const apply = new Apply(tx, stage, report, options.format, settings)
          for await (const record of inOrder) await apply.take(record)
          await apply.finish()
          if (options.dryRun) throw new DryRunRollback()
        })
      })
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error
    }
    await schedulesChanged(store)
    return report.body
  } finally {
    await stage.drop()
  }
}

/**
 * Whether the import's transaction may read the file and wait for a reader thread: not on an SQLite
 * connection other requests share, whose units must not await (SqliteStore). There the
 * records are read first — files too small for a writer thread, and in-memory databases.
 */
function readsInTransaction (store: Store): boolean {
  return !(store instanceof SqliteStore) || store.options.unitsMayAwait === true
}

async function allOf<T> (items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

async function * countedRecords<T> (records: AsyncIterable<T>, onRecord: ImportOptions['onRecord']): AsyncGenerator<T> {
  let read = 0
  for await (const record of records) {
    yield record
    onRecord?.(++read)
  }
}

function sanitisedOf (staged: StagedRecord): SanitisedBody | undefined {
  return staged.sanitised === null ? undefined : JSON.parse(staged.sanitised) as SanitisedBody
}

/** The apply phase, inside the import's transaction. */
class Apply {
  readonly #now = nowIso()
  readonly #authorIds = new Map<string, number>()
  readonly #articleIds = new Map<string, number>()
  readonly #commentIds = new Map<string, number>()
  readonly #mediaIds = new Map<string, number>()
  readonly #labelIds = new Map<string, number>()
  /** The first source id of each label this import wrote, by label id (two source rows may name one label). */
  readonly #labelSources = new Map<number, string>()
  /** Pages written so far, by stage key of their source ids. */
  readonly #pageIds = new Map<string, number>()
  /** Pages to put under their parents once every page is in (a file may name a parent after its child). */
  readonly #pageParents: Array<{ id: number, site: string, sourceId: string, parentSourceId: string | null }> = []
  /** Labels to put under their parents once every label is in (a file may name a parent after its child). */
  readonly #labelParents: Array<{ id: number, site: string, sourceId: string, parentSourceId: string }> = []
  /**
   * Featured images to link once every media record is in (WordPress lists attachments after
   * the posts that name them): those of the articles this import wrote.
   */
  readonly #featured: Array<{ articleId: number, site: string, articleSourceId: string, mediaSourceId: string }> = []
  /** Search and social metadata to write once every media record is in (for the social image), as featured images wait. */
  readonly #seo: SeoLink[] = []
  readonly #touchedArticles = new Set<number>()
  /** Articles comments are written on, by id, as this import wrote or first read them: one read per article, not per comment. */
  readonly #articleRows = new Map<number, ArticleRow>()
  /** Stage keys of articles left alone because the editor deleted them (they are in the trash). */
  readonly #trashedArticles = new Set<string>()
  /** Authors and articles read so far, by kind and stage key: a source id's first row wins. */
  readonly #seen = new Set<string>()
  #defaultAuthorId: number | null = null
  readonly #search: SearchIndexBatch

  constructor (
    private readonly tx: Store,
    private readonly stage: Stage,
    private readonly report: Report,
    private readonly format: ImportFormat,
    private readonly settings: Pick<SiteSettings, 'timezone'>
  ) {
    this.#search = new SearchIndexBatch(tx)
  }

  /** One record of the file, in file order. */
  async take ({ record, sanitised, digest }: PreparedRecord): Promise<void> {
    switch (record.kind) {
      case 'setting':
        this.report.setting(record.name, record.value)
        return
      case 'skip':
        this.report.skip(record.resource, record.sourceId, record.reason)
        return
      case 'day':
        if (!await this.stage.add('day', record.day, JSON.stringify(record))) this.report.skip('day', record.day, 'duplicate day in file')
        return
      case 'redirect':
        if (!await this.stage.add('redirect', record.from, JSON.stringify(record))) this.report.skip('redirect', record.from, 'duplicate redirect from the same path in file')
        return
      case 'label':
        await this.label(record)
        return
      case 'page':
        await this.page(record, digest)
        return
      case 'comment':
        if (!await this.stage.add('comment', stageKey(record.source.site, record.source.id), JSON.stringify(record), sanitised === null ? null : JSON.stringify(sanitised))) {
          this.report.skip('comment', record.source.id, 'duplicate source id in file')
        }
        return
    }
    // The first of a source id wins, as it would in a stage keyed by it.
    const key = `${record.kind}\u0000${stageKey(record.source.site, record.source.id)}`
    if (this.#seen.has(key)) {
      this.report.skip(record.kind, record.source.id, 'duplicate source id in file')
      return
    }
    this.#seen.add(key)
    if (record.kind === 'author') {
      await this.author(record, digest)
    } else if (record.kind === 'media') {
      await this.media(record, digest)
    } else if (record.authorSourceId !== null && !this.#authorIds.has(stageKey(record.source.site, record.authorSourceId))) {
      // Every format names an article's author before it; a file that does not is applied as
      // if it did: the article waits for the end of the file.
      await this.stage.add('article', stageKey(record.source.site, record.source.id), JSON.stringify(record), sanitised === null ? null : JSON.stringify(sanitised))
    } else {
      await this.article(record, digest, sanitised ?? undefined)
    }
  }

  /** What waited for the end of the file. */
  async finish (): Promise<void> {
    for (const link of this.#labelParents) await this.linkLabelParent(link)
    for (const link of this.#pageParents) await this.linkPageParent(link)
    for await (const staged of this.stage.each('article')) {
      const record = JSON.parse(staged.payload) as ImportedArticle
      await this.article(record, digestOf(record), sanitisedOf(staged))
    }
    await this.#search.flush()
    for (const link of this.#featured) await this.linkFeatured(link)
    for (const link of this.#seo) await this.linkSeo(link)
    for await (const staged of this.stage.each('day')) await this.day(JSON.parse(staged.payload) as ImportedDay)
    for await (const staged of this.stage.each('redirect')) await this.redirect(JSON.parse(staged.payload) as ImportedRedirect)
    const replies: Array<{ id: number, articleId: number, parentKey: string, sourceId: string }> = []
    for await (const staged of this.stage.each('comment')) {
      const comment = JSON.parse(staged.payload) as ImportedComment
      const written = await this.comment(comment, digestOf(comment), sanitisedOf(staged))
      if (written !== null && comment.parentSourceId !== null) {
        replies.push({ ...written, parentKey: stageKey(comment.source.site, comment.parentSourceId), sourceId: comment.source.id })
      }
    }
    for (const reply of replies) await this.linkReply(reply)
    await recountImportedArticles(this.tx, this.#touchedArticles)
  }

  /**
   * Whether a row of ours still exists (an imported row may have been deleted since). Read
   * locked (the services' `findImported…`): a row this import goes on to write or link to
   * cannot be deleted under it, and one deleted meanwhile is seen gone.
   */
  #exists (resource: ImportedResource): (id: number) => Promise<boolean> {
    const find = { author: findImportedAuthor, article: findImportedArticle, comment: findImportedComment, media: findImportedMedia, page: findImportedPage }[resource]
    return async (id) => await find(this.tx, id) !== undefined
  }

  /** The row an earlier import made from this source row, if it still exists. */
  async #previous (resource: ImportedResource, site: string, sourceId: string, exists = this.#exists(resource)): Promise<{ targetId: number, digest: string } | undefined> {
    const previous = await importQueries(this.tx).importedRow({ resource, format: this.format, site, sourceId })
    return previous !== undefined && await exists(previous.targetId) ? previous : undefined
  }

  /**
   * The row this record was imported into before, and whether it is unchanged since: from
   * the source keys, or, for our own export read back where it came from, the row under
   * its id (the same row when its slug or thread place matches; unchanged when its
   * updatedAt is the exported one).
   */
  async #match (resource: ImportedResource, source: SourceRef, digest: string, updatedAt: string | null | undefined, ownRow: (id: number) => Promise<{ updatedAt: string, same: boolean } | undefined>): Promise<{ targetId: number, unchanged: boolean } | undefined> {
    const previous = await this.#previous(resource, source.site, source.id, async (id) => await ownRow(id) !== undefined)
    if (previous !== undefined) return { targetId: previous.targetId, unchanged: previous.digest === digest }
    if (this.format !== 'ndjson' || source.preferredId === undefined) return undefined
    const own = await ownRow(source.preferredId)
    if (own === undefined || !own.same) return undefined
    return { targetId: source.preferredId, unchanged: own.updatedAt === updatedAt }
  }

  /**
   * The id of the article this record was imported into, or exported from, if it is in the
   * trash now. Asked after the article was looked for (locked): a delete that committed
   * while this import waited for the row has put it in the trash by then.
   */
  async #trashedTarget (source: SourceRef): Promise<number | undefined> {
    const previous = await importQueries(this.tx).importedRow({ resource: 'article', format: this.format, site: source.site, sourceId: source.id })
    const candidate = previous?.targetId ?? (this.format === 'ndjson' ? source.preferredId : undefined)
    return candidate !== undefined && await isInTrash(this.tx, candidate, this.#now) ? candidate : undefined
  }

  /** As `#trashedTarget`, for pages: the page this record was imported into, or exported from, if it is in the trash now. */
  async #trashedPage (source: SourceRef): Promise<number | undefined> {
    const previous = await importQueries(this.tx).importedRow({ resource: 'page', format: this.format, site: source.site, sourceId: source.id })
    const candidate = previous?.targetId ?? (this.format === 'ndjson' ? source.preferredId : undefined)
    return candidate !== undefined && await isPageInTrash(this.tx, candidate, this.#now) ? candidate : undefined
  }

  async #remember (resource: ImportedResource, site: string, sourceId: string, targetId: number, digest: string): Promise<void> {
    await importQueries(this.tx).rememberImportedRow({ resource, format: this.format, site, sourceId }, targetId, digest, this.#now)
  }

  async author (record: ImportedAuthor, digest: string): Promise<void> {
    const { site, id } = record.source
    const previous = await this.#match('author', record.source, digest, record.updatedAt, async (targetId) => {
      const row = await findImportedAuthor(this.tx, targetId)
      return row === undefined ? undefined : { updatedAt: row.updatedAt, same: row.slug === record.slug }
    })
    let targetId: number
    if (previous?.unchanged === true) {
      targetId = previous.targetId
      this.report.count('authors', 'unchanged')
    } else {
      const existing = previous === undefined ? undefined : await findImportedAuthor(this.tx, previous.targetId)
      targetId = (await writeImportedAuthor(this.tx, {
        name: record.name,
        slug: record.slug,
        bio: record.bio,
        avatarUrl: record.avatarUrl,
        url: record.url,
        email: record.email,
        createdAt: record.createdAt ?? this.#now,
        updatedAt: record.updatedAt ?? this.#now,
        ...(record.source.preferredId === undefined ? {} : { preferredId: record.source.preferredId })
      }, existing)).id
      this.report.count('authors', existing === undefined ? 'created' : 'updated')
    }
    this.#authorIds.set(stageKey(site, id), targetId)
    await this.#remember('author', site, id, targetId, digest)
  }

  /** The article's author from this file or an earlier import of it, if it names one we know. */
  async #namedAuthor (record: ImportedArticle): Promise<number | undefined> {
    if (record.authorSourceId === null) return undefined
    return this.#authorIds.get(stageKey(record.source.site, record.authorSourceId)) ??
      (await this.#previous('author', record.source.site, record.authorSourceId))?.targetId
  }

  /** The co-authors a file names that this import knows, in order (one it does not know is left off the byline). */
  async #coAuthorsOf (record: ImportedArticle, sourceIds: string[]): Promise<number[]> {
    const ids: number[] = []
    for (const sourceId of sourceIds.slice(0, maxBylineLength - 1)) {
      const id = this.#authorIds.get(stageKey(record.source.site, sourceId)) ?? (await this.#previous('author', record.source.site, sourceId))?.targetId
      if (id !== undefined) ids.push(id)
    }
    return ids
  }

  /** The author of an article: from this file, an earlier import, or else the importing author. */
  async #authorOf (record: ImportedArticle): Promise<number> {
    const id = await this.#namedAuthor(record)
    if (id !== undefined) return id
    if (record.authorSourceId !== null) this.report.note('article', record.source.id, `its author "${record.authorSourceId}" is not in the file: given to the importing author`)
    return await this.#defaultAuthor()
  }

  /**
   * An unchanged article that went to "Imported" counts that author as unchanged, as any author
   * the file names is: a second import of a file then reports as many authors as the first.
   */
  async #countDefaultAuthor (record: ImportedArticle): Promise<void> {
    if (this.#defaultAuthorId !== null || await this.#namedAuthor(record) !== undefined) return
    const existing = await findImportFallbackAuthor(this.tx)
    if (existing === undefined) return
    this.report.count('authors', 'unchanged')
    this.#defaultAuthorId = existing.id
  }

  async #defaultAuthor (): Promise<number> {
    if (this.#defaultAuthorId !== null) return this.#defaultAuthorId
    const existing = await findImportFallbackAuthor(this.tx)
    if (existing !== undefined) {
      this.report.count('authors', 'unchanged')
      return (this.#defaultAuthorId = existing.id)
    }
    const created = await createImportFallbackAuthor(this.tx, this.#now)
    this.report.count('authors', 'created')
    return (this.#defaultAuthorId = created.id)
  }

  async article (record: ImportedArticle, digest: string, sanitised: SanitisedBody | undefined): Promise<void> {
    const { site, id } = record.source
    const previous = await this.#match('article', record.source, digest, record.updatedAt, async (targetId) => {
      const row = await findImportedArticle(this.tx, targetId)
      return row === undefined ? undefined : { updatedAt: row.updatedAt, same: row.slug === record.slug }
    })
    // A live article is not in the trash (deleting moves it there): only a missing one is looked for.
    const trashed = previous === undefined ? await this.#trashedTarget(record.source) : undefined
    if (trashed !== undefined) {
      // Deleting it was an editor's decision: importing again must not undo it.
      this.#trashedArticles.add(stageKey(site, id))
      this.report.skip('article', id, `article ${trashed} is in the trash: restore or purge it to import it again`)
      return
    }
    for (const note of record.notes) this.report.note('article', id, note)
    if (previous?.unchanged === true) {
      this.#articleIds.set(stageKey(site, id), previous.targetId)
      await this.#countDefaultAuthor(record)
      this.report.count('articles', 'unchanged')
      return
    }
    let status = record.status
    if (status === 'scheduled' && record.publishedAt === null) {
      status = 'draft'
      this.report.note('article', id, 'scheduled without a date: imported as a draft')
    }
    const createdAt = record.createdAt ?? record.publishedAt ?? this.#now
    const existing = previous === undefined ? undefined : await findImportedArticle(this.tx, previous.targetId)
    const row = await writeImportedArticle(this.tx, this.settings, {
      title: record.title,
      slug: record.slug,
      body: record.body,
      excerpt: record.excerpt,
      status,
      publishedAt: record.publishedAt,
      createdAt,
      updatedAt: record.updatedAt ?? createdAt,
      labels: record.labels,
      authorId: await this.#authorOf(record),
      ...(record.coAuthorSourceIds === undefined ? {} : { coAuthorIds: await this.#coAuthorsOf(record, record.coAuthorSourceIds) }),
      ...(sanitised?.text == null ? {} : { sanitised: { html: sanitised.html, text: sanitised.text } }),
      ...(record.source.preferredId === undefined ? {} : { preferredId: record.source.preferredId }),
      ...(record.oldSlugs === undefined ? {} : { oldSlugs: record.oldSlugs }),
      ...(record.unpublishAt === undefined ? {} : { unpublishAt: record.unpublishAt }),
      ...(record.corrections === undefined ? {} : { corrections: record.corrections })
    }, existing, this.#now, this.#search)
    this.report.count('articles', existing === undefined ? 'created' : 'updated')
    this.#articleIds.set(stageKey(site, id), row.id)
    this.#articleRows.set(row.id, row)
    await this.#remember('article', site, id, row.id, digest)
    if (record.featuredMediaSourceId !== undefined) this.#featured.push({ articleId: row.id, site, articleSourceId: id, mediaSourceId: record.featuredMediaSourceId })
    if (record.seo !== undefined) this.#seo.push({ owner: 'article', id: row.id, source: record.source, seo: record.seo })
  }

  /**
   * An image named by address: an external item (written again only when the export changed).
   * Our own export read back where it came from finds the item under its id (the same item
   * when it is the upload with the exported key, or the external item at the exported address).
   */
  async media (record: ImportedMedia, digest: string): Promise<void> {
    const { site, id } = record.source
    const previous = await this.#match('media', record.source, digest, record.updatedAt, async (targetId) => {
      const row = await findImportedMedia(this.tx, targetId)
      const same = record.exportedKey === undefined ? row?.source === 'external' && row.externalUrl === record.url : row?.key === record.exportedKey
      return row === undefined ? undefined : { updatedAt: row.updatedAt, same }
    })
    let targetId: number
    if (previous?.unchanged === true) {
      targetId = previous.targetId
      this.report.count('media', 'unchanged')
    } else {
      const existing = previous === undefined ? undefined : await findImportedMedia(this.tx, previous.targetId)
      targetId = (await writeImportedMedia(this.tx, {
        url: record.url,
        fileName: record.fileName,
        // The library's own limits for these words (media/schemas.ts), so an edit of the item validates.
        alt: record.alt.slice(0, 1000),
        caption: record.caption.slice(0, 2000),
        ...(record.credit === undefined ? {} : { credit: record.credit.slice(0, 300) }),
        ...(record.focalPoint === undefined ? {} : { focalPoint: record.focalPoint }),
        ownerAuthorId: await this.#uploader(record),
        createdAt: record.createdAt ?? this.#now,
        updatedAt: record.updatedAt ?? this.#now,
        ...(record.source.preferredId === undefined ? {} : { preferredId: record.source.preferredId })
      }, existing)).id
      this.report.count('media', existing === undefined ? 'created' : 'updated')
    }
    this.#mediaIds.set(stageKey(site, id), targetId)
    await this.#remember('media', site, id, targetId, digest)
  }

  /**
   * A label the file describes: made, or given the file's description, before the articles
   * that name it; its parent is linked at the end. A source id's first label wins.
   */
  async label (record: ImportedLabel): Promise<void> {
    const key = stageKey(record.source.site, record.source.id)
    if (this.#labelIds.has(key)) {
      this.report.skip('label', record.source.id, 'duplicate source id in file')
      return
    }
    const written = await writeImportedLabel(this.tx, { name: record.name, slug: record.slug, description: record.description, ...(record.source.preferredId === undefined ? {} : { preferredId: record.source.preferredId }) }, this.#now)
    if (written === null) {
      this.report.skip('label', record.source.id, 'a label without a name')
      return
    }
    const namesake = this.#labelSources.get(written.id)
    if (namesake === undefined) this.#labelSources.set(written.id, record.source.id)
    else this.report.note('label', record.source.id, `has the name of ${namesake} in the file: labels are one per name (case aside), so they are one label`)
    this.#labelIds.set(key, written.id)
    // A label the file puts at the top level stays where an editor put it (a WordPress tag has no parent at all).
    if (record.parentSourceId !== null) this.#labelParents.push({ id: written.id, site: record.source.site, sourceId: record.source.id, parentSourceId: record.parentSourceId })
  }

  async linkLabelParent (link: { id: number, site: string, sourceId: string, parentSourceId: string }): Promise<void> {
    const parentId = this.#labelIds.get(stageKey(link.site, link.parentSourceId))
    if (parentId === undefined) {
      this.report.note('label', link.sourceId, `its parent "${link.parentSourceId}" is not a label in the file: left where it was`)
      return
    }
    const refused = await setImportedParent(this.tx, link.id, parentId, this.#now)
    if (refused !== null) this.report.note('label', link.sourceId, refused)
  }

  /**
   * A page: written when new or changed since the import that made it (its digest), the
   * page an earlier import made kept by its source id, so importing again changes no page twice.
   * A written page's parent is linked at the end; an unchanged one stays where it is.
   */
  async page (record: ImportedPage, digest: string): Promise<void> {
    const { site, id } = record.source
    const key = stageKey(site, id)
    if (this.#pageIds.has(key)) {
      this.report.skip('page', id, 'duplicate source id in file')
      return
    }
    // Our own export read back into the database it came from finds each page under its id.
    const previous = await this.#match('page', record.source, digest, record.updatedAt, async (targetId) => {
      const row = await findImportedPage(this.tx, targetId)
      return row === undefined ? undefined : { updatedAt: row.updatedAt, same: row.slug === record.slug }
    })
    const trashed = previous === undefined ? await this.#trashedPage(record.source) : undefined
    if (trashed !== undefined) {
      // As for articles: deleting it was an editor's decision, which importing again must not undo.
      this.report.skip('page', id, `page ${trashed} is in the trash: restore or purge it to import it again`)
      return
    }
    if (previous?.unchanged === true) {
      // Left as it is, where an editor may have moved it since.
      this.#pageIds.set(key, previous.targetId)
      this.report.count('pages', 'unchanged')
      return
    }
    const existing = previous === undefined ? undefined : await findImportedPage(this.tx, previous.targetId)
    const at = record.createdAt ?? this.#now
    const targetId = await writeImportedPage(this.tx, { ...record, createdAt: at, updatedAt: record.updatedAt ?? at }, existing, this.#now)
    this.report.count('pages', existing === undefined ? 'created' : 'updated')
    for (const note of record.notes ?? []) this.report.note('page', id, note)
    await this.#remember('page', site, id, targetId, digest)
    this.#pageIds.set(key, targetId)
    this.#pageParents.push({ id: targetId, site, sourceId: id, parentSourceId: record.parentSourceId })
    if (record.seo !== undefined) this.#seo.push({ owner: 'page', id: targetId, source: record.source, seo: record.seo })
  }

  async linkPageParent (link: { id: number, site: string, sourceId: string, parentSourceId: string | null }): Promise<void> {
    const parentId = link.parentSourceId === null ? null : this.#pageIds.get(stageKey(link.site, link.parentSourceId))
    if (parentId === undefined) {
      this.report.note('page', link.sourceId, `its parent "${link.parentSourceId}" is not a page in the file: left where it was`)
      return
    }
    const refused = await setImportedPageParent(this.tx, link.id, parentId, this.#now)
    if (refused !== null) this.report.note('page', link.sourceId, refused)
  }

  /** Who uploaded an image, when the file names an author this import knows; else nobody. */
  async #uploader (record: ImportedMedia): Promise<number | null> {
    if (record.authorSourceId === null) return null
    return this.#authorIds.get(stageKey(record.source.site, record.authorSourceId)) ??
      (await this.#previous('author', record.source.site, record.authorSourceId))?.targetId ?? null
  }

  /** Makes the image an article's source names its featured image, if the image was imported. */
  async linkFeatured (link: { articleId: number, site: string, articleSourceId: string, mediaSourceId: string }): Promise<void> {
    const mediaId = this.#mediaIds.get(stageKey(link.site, link.mediaSourceId)) ??
      (await this.#previous('media', link.site, link.mediaSourceId))?.targetId
    if (mediaId === undefined) {
      this.report.note('article', link.articleSourceId, `its featured image (${link.mediaSourceId}) is not an image in the file: imported without one`)
      return
    }
    await mediaQueries(this.tx).setFeatured(link.articleId, mediaId)
  }

  /** Writes what a source says about search and social sharing, its text cut to the API's limits. */
  async linkSeo (link: SeoLink): Promise<void> {
    const { site, id } = link.source
    const { socialMediaSourceId, ...text } = link.seo
    const socialImage = socialMediaSourceId === null
      ? null
      : this.#mediaIds.get(stageKey(site, socialMediaSourceId)) ?? (await this.#previous('media', site, socialMediaSourceId))?.targetId ?? null
    if (socialMediaSourceId !== null && socialImage === null) this.report.note(link.owner, id, `its social image (${socialMediaSourceId}) is not an image in the file: imported without one`)
    const { stored, refused } = importedSeo(text, socialImage)
    for (const field of refused) this.report.note(link.owner, id, `its ${field} is not one the API accepts: left out`)
    await putSeo(this.tx, link.owner, link.id, stored)
  }

  async day (record: ImportedDay): Promise<void> {
    const outcome = await writeImportedDay(this.tx, { day: record.day, note: record.note, createdAt: record.createdAt ?? this.#now, updatedAt: record.updatedAt ?? this.#now })
    this.report.count('days', outcome)
  }

  async redirect (record: ImportedRedirect): Promise<void> {
    const outcome = await writeImportedRedirect(this.tx, { ...record, createdAt: record.createdAt ?? this.#now, updatedAt: record.updatedAt ?? this.#now })
    if (typeof outcome === 'string') this.report.count('redirects', outcome)
    else this.report.skip('redirect', record.from, outcome.skipped)
  }

  async #articleOf (record: ImportedComment): Promise<number | undefined> {
    const { site } = record.source
    return this.#articleIds.get(stageKey(site, record.articleSourceId)) ??
      (await this.#previous('article', site, record.articleSourceId))?.targetId
  }

  /**
   * The article a comment goes on, read the first time one of its comments comes (locked, as
   * the recount at the end writes it anyway); undefined when it is gone.
   */
  async #articleRow (id: number): Promise<ArticleRow | undefined> {
    let row = this.#articleRows.get(id)
    if (row === undefined) {
      row = await findImportedArticle(this.tx, id)
      if (row !== undefined) this.#articleRows.set(id, row)
    }
    return row
  }

  async #parentExists (record: ImportedComment): Promise<boolean> {
    const { site } = record.source
    return record.parentSourceId === null ||
      await this.stage.hasKey('comment', stageKey(site, record.parentSourceId)) ||
      await this.#previous('comment', site, record.parentSourceId) !== undefined
  }

  /** Writes a comment without its parent (linked once every comment is in); null when skipped. */
  async comment (record: ImportedComment, digest: string, sanitised: SanitisedBody | undefined): Promise<{ id: number, articleId: number } | null> {
    const { site, id } = record.source
    const articleId = await this.#articleOf(record)
    const article = articleId === undefined ? undefined : await this.#articleRow(articleId)
    if (articleId === undefined || article === undefined) {
      this.report.skip('comment', id, this.#trashedArticles.has(stageKey(site, record.articleSourceId)) ? 'its article is in the trash' : 'article not found')
      return null
    }
    if (!await this.#parentExists(record)) {
      this.report.skip('comment', id, 'parent not found')
      return null
    }
    const previous = await this.#match('comment', record.source, digest, record.updatedAt, async (targetId) => {
      const row = await findImportedComment(this.tx, targetId)
      return row === undefined ? undefined : { updatedAt: row.updatedAt, same: row.articleId === articleId && row.createdAt === record.createdAt }
    })
    if (previous?.unchanged === true) {
      this.#commentIds.set(stageKey(site, id), previous.targetId)
      this.report.count('comments', 'unchanged')
      return null
    }
    const existing = previous === undefined ? undefined : await findImportedComment(this.tx, previous.targetId)
    const row = await writeImportedComment(this.tx, {
      articleId,
      authorName: record.authorName,
      authorUrl: record.authorUrl,
      authorEmail: record.authorEmail,
      body: record.body,
      status: record.status,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt ?? record.createdAt,
      ...(sanitised === undefined ? {} : { sanitisedBody: sanitised.html }),
      ...(record.source.preferredId === undefined ? {} : { preferredId: record.source.preferredId })
    }, existing, article)
    if (row === null) {
      this.report.skip('comment', id, 'empty comment')
      return null
    }
    this.report.count('comments', existing === undefined ? 'created' : 'updated')
    this.#commentIds.set(stageKey(site, id), row.id)
    this.#touchedArticles.add(articleId)
    await this.#remember('comment', site, id, row.id, digest)
    return { id: row.id, articleId }
  }

  async linkReply (reply: { id: number, articleId: number, parentKey: string, sourceId: string }): Promise<void> {
    const [site, parentSourceId] = reply.parentKey.split('\u0000') as [string, string]
    const parentId = this.#commentIds.get(reply.parentKey) ??
      (await this.#previous('comment', site, parentSourceId))?.targetId
    if (parentId === undefined || !await linkImportedReply(this.tx, reply, parentId)) {
      this.report.note('comment', reply.sourceId, 'its parent is not on the same article: shown as a top-level comment')
    }
  }
}

export interface ImportFileOptions {
  /** Force a format instead of detecting it from the content. */
  format?: ImportFormat
  dryRun: boolean
  onRecord?: (records: number) => void
  /** Told the size of each piece of the file read (a progress bar's). */
  onBytes?: (bytes: number) => void
  /** Told when the import's transaction is about to begin (the file is here), on this thread. */
  onApply?: () => void
}

/**
 * Imports an export file: receives it whole (spool.ts), then reads and applies it in one
 * transaction — into an SQLite file in a writer thread of its own (writer.ts), otherwise here.
 */
export async function importFile (store: Store, settings: Pick<SiteSettings, 'timezone'>, source: ImportSource, options: ImportFileOptions): Promise<ImportReportBody> {
  const received = await spool(source)
  try {
    const beside = writerThreadFor(store, received.spooled.size)
    if (beside === undefined) return await importSpooled(store, settings, received.spooled, options)
    const report = await importInWriterThread(beside, settings, received.spooled, options)
    // This connection caches when the next scheduled article is due: the import may have moved it.
    await schedulesChanged(store)
    return report
  } catch (error) {
    if (error instanceof MalformedImportError) throw malformedImport(error.message)
    throw error
  } finally {
    await received.dispose()
  }
}

type ImportHereOptions = ImportFileOptions & Pick<ImportOptions, 'exclusively'>

function readOptions (settings: Pick<SiteSettings, 'timezone'>, options: ImportHereOptions): ReadOptions {
  return { ...(options.format === undefined ? {} : { format: options.format }), now: nowIso(), timezone: settings.timezone }
}

/**
 * `importFile` on this thread, from a received file: a large one is read in a reader thread
 * (reader.ts). A malformed file throws MalformedImportError.
 */
export async function importSpooled (store: Store, settings: Pick<SiteSettings, 'timezone'>, file: Spooled, options: ImportHereOptions): Promise<ImportReportBody> {
  const { onBytes, format: _forced, ...rest } = options
  if (file.size < readerThreadFromBytes) return await readAndImport(store, settings, spooledChunks(file, onBytes), options)
  const reading = await readInThread(file, readOptions(settings, options), onBytes)
  try {
    return await importRecords(store, settings, reading.records, { ...rest, format: reading.format })
  } finally {
    await reading.close()
  }
}

/**
 * `importFile` on this thread, reading and preparing every record here, from a file already
 * here (it is read inside the transaction). A malformed file throws MalformedImportError.
 */
export async function readAndImport (store: Store, settings: Pick<SiteSettings, 'timezone'>, input: AsyncIterable<Buffer | string>, options: ImportHereOptions): Promise<ImportReportBody> {
  const reading = readImport(input, readOptions(settings, options))
  const format = await reading.format
  const { onBytes: _told, format: _forced, ...rest } = options
  return await importRecords(store, settings, preparedHere(reading.records), { ...rest, format })
}

async function * preparedHere (records: AsyncIterable<ImportRecord>): AsyncGenerator<PreparedRecord> {
  for await (const record of records) yield prepareRecord(record)
}
