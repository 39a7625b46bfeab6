import { createHash } from 'node:crypto'
import type { Db, DbOrTx } from '../../db/client.js'
import type { ImportedResource } from '../../db/schema.js'
import { malformedImport } from '../../errors.js'
import { sanitizeCommentHtml } from '../../lib/html.js'
import { slugify, uniqueSlug } from '../../lib/slug.js'
import { acceptedEmail, acceptedHttpUrl, singleLine, withoutControls } from '../../lib/values.js'
import { nowIso } from '../../lib/time.js'
import type { SiteSettings } from '../../plugins/settings.js'
import * as articleQueries from '../articles/queries.js'
import { schedulesChanged, writeImportedArticle } from '../articles/service.js'
import * as authorQueries from '../authors/queries.js'
import * as commentQueries from '../comments/queries.js'
import * as dayQueries from '../dates/queries.js'
import { SearchIndexBatch } from '../../search/index.js'
import { anyTrashed, isTrashed } from '../trash/queries.js'
import * as queries from './queries.js'
import { readImport } from './formats/index.js'
import { MalformedImportError, type SourceRef, type ImportedArticle, type ImportedAuthor, type ImportedComment, type ImportedDay, type ImportFormat, type ImportRecord } from './records.js'
import type { ImportReportBody } from './schemas.js'

export interface ImportOptions {
  format: ImportFormat
  /** Do everything, then roll back: the report says what an import would do. */
  dryRun: boolean
  /** Told how many records were read so far, as the file streams in. */
  onRecord?: (records: number) => void
}

type Counted = keyof ImportReportBody['counts']
type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped'

const listedAtMost = 1000

/** The report, filled in as the import goes. */
class Report {
  readonly body: ImportReportBody

  constructor (format: ImportFormat, dryRun: boolean) {
    const counts = (): ImportReportBody['counts']['authors'] => ({ created: 0, updated: 0, unchanged: 0, skipped: 0 })
    this.body = { format, dryRun, counts: { authors: counts(), articles: counts(), comments: counts(), days: counts() }, skipped: [], notes: [], settings: [] }
  }

  count (resource: Counted, outcome: Outcome): void {
    this.body.counts[resource][outcome]++
  }

  skip (resource: string, sourceId: string | null, reason: string): void {
    const counted = ({ author: 'authors', article: 'articles', comment: 'comments', day: 'days' } as const)[resource]
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

const digestOf = (payload: string): string => createHash('sha256').update(payload).digest('hex')

/**
 * Imports records (from src/resources/import/formats/): stages them while the file streams
 * in, then applies everything in one transaction — all of it or, on an error, nothing.
 */
export async function importRecords (db: Db, settings: Pick<SiteSettings, 'timezone'>, records: AsyncIterable<ImportRecord>, options: ImportOptions): Promise<ImportReportBody> {
  const report = new Report(options.format, options.dryRun)
  const stage = new queries.Stage(db)
  try {
    let read = 0
    for await (const record of records) {
      stageRecord(stage, report, record)
      options.onRecord?.(++read)
    }
    try {
      db.transaction((tx) => {
        new Apply(tx, stage, report, options.format, settings).run()
        if (options.dryRun) throw new DryRunRollback()
      })
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error
    }
    schedulesChanged(db)
    return report.body
  } finally {
    stage.drop()
  }
}

function stageRecord (stage: queries.Stage, report: Report, record: ImportRecord): void {
  switch (record.kind) {
    case 'setting':
      report.setting(record.name, record.value)
      return
    case 'skip':
      report.skip(record.resource, record.sourceId, record.reason)
      return
    case 'day':
      if (!stage.add('day', record.day, JSON.stringify(record))) report.skip('day', record.day, 'duplicate day in file')
      return
    default:
      if (!stage.add(record.kind, stageKey(record.source.site, record.source.id), JSON.stringify(record))) {
        report.skip(record.kind, record.source.id, 'duplicate source id in file')
      }
  }
}

/** The apply phase, inside the import's transaction. */
class Apply {
  readonly #now = nowIso()
  readonly #authorIds = new Map<string, number>()
  readonly #articleIds = new Map<string, number>()
  readonly #commentIds = new Map<string, number>()
  readonly #touchedArticles = new Set<number>()
  /** Stage keys of articles left alone because the editor deleted them (they are in the trash). */
  readonly #trashedArticles = new Set<string>()
  /** Whether anything is in the trash at all, asked once: most imports need no check per article. */
  #trashInUse: boolean | undefined
  #defaultAuthorId: number | null = null
  readonly #search: SearchIndexBatch

  constructor (
    private readonly tx: DbOrTx,
    private readonly stage: queries.Stage,
    private readonly report: Report,
    private readonly format: ImportFormat,
    private readonly settings: Pick<SiteSettings, 'timezone'>
  ) {
    this.#search = new SearchIndexBatch(tx)
  }

  run (): void {
    for (const staged of this.stage.each('author')) this.author(JSON.parse(staged.payload) as ImportedAuthor, staged.payload)
    for (const staged of this.stage.each('article')) this.article(JSON.parse(staged.payload) as ImportedArticle, staged.payload)
    this.#search.flush()
    for (const staged of this.stage.each('day')) this.day(JSON.parse(staged.payload) as ImportedDay)
    const replies: Array<{ id: number, articleId: number, parentKey: string, sourceId: string }> = []
    for (const staged of this.stage.each('comment')) {
      const comment = JSON.parse(staged.payload) as ImportedComment
      const written = this.comment(comment, staged.payload)
      if (written !== null && comment.parentSourceId !== null) {
        replies.push({ ...written, parentKey: stageKey(comment.source.site, comment.parentSourceId), sourceId: comment.source.id })
      }
    }
    for (const reply of replies) this.linkReply(reply)
    for (const articleId of this.#touchedArticles) commentQueries.recountApproved(this.tx, articleId)
  }

  /** Whether a row of ours still exists (an imported row may have been deleted since). */
  #exists (resource: ImportedResource): (id: number) => boolean {
    const find = { author: authorQueries.authorById, article: articleQueries.articleById, comment: commentQueries.commentById }[resource]
    return (id) => find(this.tx, id) !== undefined
  }

  /** The row an earlier import made from this source row, if it still exists. */
  #previous (resource: ImportedResource, site: string, sourceId: string, exists = this.#exists(resource)): { targetId: number, digest: string } | undefined {
    const previous = queries.importedRow(this.tx, { resource, format: this.format, site, sourceId })
    return previous !== undefined && exists(previous.targetId) ? previous : undefined
  }

  /**
   * The row this record was imported into before, and whether it is unchanged since: from
   * the source keys, or, for our own export read back where it came from, the row under
   * its id (the same row when its slug or thread place matches; unchanged when its
   * updatedAt is the exported one).
   */
  #match (resource: ImportedResource, source: SourceRef, payload: string, updatedAt: string | null | undefined, ownRow: (id: number) => { updatedAt: string, same: boolean } | undefined): { targetId: number, unchanged: boolean } | undefined {
    const previous = this.#previous(resource, source.site, source.id, (id) => ownRow(id) !== undefined)
    if (previous !== undefined) return { targetId: previous.targetId, unchanged: previous.digest === digestOf(payload) }
    if (this.format !== 'ndjson' || source.preferredId === undefined) return undefined
    const own = ownRow(source.preferredId)
    if (own === undefined || !own.same) return undefined
    return { targetId: source.preferredId, unchanged: own.updatedAt === updatedAt }
  }

  /** The id of the article this record was imported into, or exported from, if it is in the trash now. */
  #trashedTarget (source: SourceRef): number | undefined {
    this.#trashInUse ??= anyTrashed(this.tx, this.#now)
    if (!this.#trashInUse) return undefined
    const previous = queries.importedRow(this.tx, { resource: 'article', format: this.format, site: source.site, sourceId: source.id })
    const candidate = previous?.targetId ?? (this.format === 'ndjson' ? source.preferredId : undefined)
    return candidate !== undefined && isTrashed(this.tx, candidate, this.#now) ? candidate : undefined
  }

  #remember (resource: ImportedResource, site: string, sourceId: string, targetId: number, payload: string): void {
    queries.rememberImportedRow(this.tx, { resource, format: this.format, site, sourceId }, targetId, digestOf(payload), this.#now)
  }

  author (record: ImportedAuthor, payload: string): void {
    const { site, id } = record.source
    const previous = this.#match('author', record.source, payload, record.updatedAt, (targetId) => {
      const row = authorQueries.authorById(this.tx, targetId)
      return row === undefined ? undefined : { updatedAt: row.updatedAt, same: row.slug === record.slug }
    })
    const values = {
      name: singleLine(record.name, 120) || 'Unknown author',
      bio: record.bio === null ? null : [...withoutControls(record.bio)].slice(0, 5000).join(''),
      avatarUrl: acceptedHttpUrl(record.avatarUrl),
      url: acceptedHttpUrl(record.url),
      email: acceptedEmail(record.email),
      updatedAt: record.updatedAt ?? this.#now
    }
    let targetId: number
    if (previous?.unchanged === true) {
      targetId = previous.targetId
      this.report.count('authors', 'unchanged')
    } else if (previous !== undefined) {
      targetId = authorQueries.updateAuthor(this.tx, previous.targetId, values).id
      this.report.count('authors', 'updated')
    } else {
      const preferred = record.source.preferredId
      targetId = authorQueries.insertAuthor(this.tx, {
        ...values,
        ...(preferred !== undefined && authorQueries.authorById(this.tx, preferred) === undefined ? { id: preferred } : {}),
        slug: uniqueSlug(slugify(record.slug ?? values.name, 'author'), (candidate) => authorQueries.authorSlugTaken(this.tx, candidate)),
        createdAt: record.createdAt ?? this.#now
      }).id
      this.report.count('authors', 'created')
    }
    this.#authorIds.set(stageKey(site, id), targetId)
    this.#remember('author', site, id, targetId, payload)
  }

  /** The article's author from this file or an earlier import of it, if it names one we know. */
  #namedAuthor (record: ImportedArticle): number | undefined {
    if (record.authorSourceId === null) return undefined
    return this.#authorIds.get(stageKey(record.source.site, record.authorSourceId)) ??
      this.#previous('author', record.source.site, record.authorSourceId)?.targetId
  }

  /** The author of an article: from this file, an earlier import, or else the importing author. */
  #authorOf (record: ImportedArticle): number {
    const id = this.#namedAuthor(record)
    if (id !== undefined) return id
    if (record.authorSourceId !== null) this.report.note('article', record.source.id, `its author "${record.authorSourceId}" is not in the file: given to the importing author`)
    return this.#defaultAuthor()
  }

  /**
   * An unchanged article that went to "Imported" counts that author as unchanged, as any author
   * the file names is: a second import of a file then reports as many authors as the first.
   */
  #countDefaultAuthor (record: ImportedArticle): void {
    if (this.#defaultAuthorId !== null || this.#namedAuthor(record) !== undefined) return
    const existing = authorQueries.authorBySlugOrId(this.tx, 'imported')
    if (existing === undefined) return
    this.report.count('authors', 'unchanged')
    this.#defaultAuthorId = existing.id
  }

  #defaultAuthor (): number {
    if (this.#defaultAuthorId !== null) return this.#defaultAuthorId
    const existing = authorQueries.authorBySlugOrId(this.tx, 'imported')
    if (existing !== undefined) {
      this.report.count('authors', 'unchanged')
      return (this.#defaultAuthorId = existing.id)
    }
    const created = authorQueries.insertAuthor(this.tx, { slug: 'imported', name: 'Imported', bio: 'Articles whose author was not in the imported file.', createdAt: this.#now, updatedAt: this.#now })
    this.report.count('authors', 'created')
    return (this.#defaultAuthorId = created.id)
  }

  article (record: ImportedArticle, payload: string): void {
    const { site, id } = record.source
    const trashed = this.#trashedTarget(record.source)
    if (trashed !== undefined) {
      // Deleting it was an editor's decision: importing again must not undo it.
      this.#trashedArticles.add(stageKey(site, id))
      this.report.skip('article', id, `article ${trashed} is in the trash: restore or purge it to import it again`)
      return
    }
    const previous = this.#match('article', record.source, payload, record.updatedAt, (targetId) => {
      const row = articleQueries.articleById(this.tx, targetId)
      return row === undefined ? undefined : { updatedAt: row.updatedAt, same: row.slug === record.slug }
    })
    for (const note of record.notes) this.report.note('article', id, note)
    if (previous?.unchanged === true) {
      this.#articleIds.set(stageKey(site, id), previous.targetId)
      this.#countDefaultAuthor(record)
      this.report.count('articles', 'unchanged')
      return
    }
    let status = record.status
    if (status === 'scheduled' && record.publishedAt === null) {
      status = 'draft'
      this.report.note('article', id, 'scheduled without a date: imported as a draft')
    }
    const createdAt = record.createdAt ?? record.publishedAt ?? this.#now
    const existing = previous === undefined ? undefined : articleQueries.articleById(this.tx, previous.targetId)
    const row = writeImportedArticle(this.tx, this.settings, {
      title: record.title,
      slug: record.slug,
      body: record.body,
      excerpt: record.excerpt,
      status,
      publishedAt: record.publishedAt,
      createdAt,
      updatedAt: record.updatedAt ?? createdAt,
      labels: record.labels,
      authorId: this.#authorOf(record),
      ...(record.source.preferredId === undefined ? {} : { preferredId: record.source.preferredId })
    }, existing, this.#now, this.#search)
    this.report.count('articles', existing === undefined ? 'created' : 'updated')
    this.#articleIds.set(stageKey(site, id), row.id)
    this.#remember('article', site, id, row.id, payload)
  }

  day (imported: ImportedDay): void {
    const record = { ...imported, note: imported.note === null ? null : withoutControls(imported.note) }
    const existing = dayQueries.dayRow(this.tx, record.day)
    if (existing === undefined) {
      dayQueries.insertDay(this.tx, { day: record.day, note: record.note, createdAt: record.createdAt ?? this.#now, updatedAt: record.updatedAt ?? this.#now })
      this.report.count('days', 'created')
    } else if (existing.note === record.note) {
      this.report.count('days', 'unchanged')
    } else {
      dayQueries.updateDayNote(this.tx, record.day, record.note, record.updatedAt ?? this.#now)
      this.report.count('days', 'updated')
    }
  }

  #articleOf (record: ImportedComment): number | undefined {
    const { site } = record.source
    return this.#articleIds.get(stageKey(site, record.articleSourceId)) ??
      this.#previous('article', site, record.articleSourceId)?.targetId
  }

  #parentExists (record: ImportedComment): boolean {
    const { site } = record.source
    return record.parentSourceId === null ||
      this.stage.hasKey('comment', stageKey(site, record.parentSourceId)) ||
      this.#previous('comment', site, record.parentSourceId) !== undefined
  }

  /** Writes a comment without its parent (linked once every comment is in); null when skipped. */
  comment (record: ImportedComment, payload: string): { id: number, articleId: number } | null {
    const { site, id } = record.source
    const articleId = this.#articleOf(record)
    if (articleId === undefined) {
      this.report.skip('comment', id, this.#trashedArticles.has(stageKey(site, record.articleSourceId)) ? 'its article is in the trash' : 'article not found')
      return null
    }
    if (!this.#parentExists(record)) {
      this.report.skip('comment', id, 'parent not found')
      return null
    }
    const previous = this.#match('comment', record.source, payload, record.updatedAt, (targetId) => {
      const row = commentQueries.commentById(this.tx, targetId)
      return row === undefined ? undefined : { updatedAt: row.updatedAt, same: row.articleId === articleId && row.createdAt === record.createdAt }
    })
    if (previous?.unchanged === true) {
      this.#commentIds.set(stageKey(site, id), previous.targetId)
      this.report.count('comments', 'unchanged')
      return null
    }
    const body = sanitizeCommentHtml(record.body)
    if (body.replace(/<[^>]*>/g, '').trim() === '') {
      this.report.skip('comment', id, 'empty comment')
      return null
    }
    const values = {
      articleId,
      parentId: null,
      authorName: singleLine(record.authorName, 100) || 'Anonymous',
      authorUrl: acceptedHttpUrl(record.authorUrl),
      authorEmail: acceptedEmail(record.authorEmail),
      body,
      status: record.status,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt ?? record.createdAt
    }
    const row = previous === undefined
      ? commentQueries.insertComment(this.tx, {
        ...values,
        ...(record.source.preferredId !== undefined && commentQueries.commentById(this.tx, record.source.preferredId) === undefined ? { id: record.source.preferredId } : {})
      })
      : commentQueries.updateComment(this.tx, previous.targetId, values)
    this.report.count('comments', previous === undefined ? 'created' : 'updated')
    this.#commentIds.set(stageKey(site, id), row.id)
    this.#touchedArticles.add(articleId)
    this.#remember('comment', site, id, row.id, payload)
    return { id: row.id, articleId }
  }

  linkReply (reply: { id: number, articleId: number, parentKey: string, sourceId: string }): void {
    const [site, parentSourceId] = reply.parentKey.split('\u0000') as [string, string]
    const parentId = this.#commentIds.get(reply.parentKey) ??
      this.#previous('comment', site, parentSourceId)?.targetId
    const parent = parentId === undefined ? undefined : commentQueries.commentById(this.tx, parentId)
    if (parent === undefined || parent.articleId !== reply.articleId) {
      this.report.note('comment', reply.sourceId, 'its parent is not on the same article: shown as a top-level comment')
      return
    }
    commentQueries.setParent(this.tx, reply.id, parent.id)
  }
}

export interface ImportFileOptions {
  /** Force a format instead of detecting it from the content. */
  format?: ImportFormat
  dryRun: boolean
  onRecord?: (records: number) => void
}

/** Imports an export file as it streams in (see formats/ and `importRecords`). */
export async function importFile (db: Db, settings: Pick<SiteSettings, 'timezone'>, input: AsyncIterable<Buffer | string>, options: ImportFileOptions): Promise<ImportReportBody> {
  const reading = readImport(input, { ...(options.format === undefined ? {} : { format: options.format }), now: nowIso(), timezone: settings.timezone })
  try {
    const format = await reading.format
    return await importRecords(db, settings, reading.records, { format, dryRun: options.dryRun, ...(options.onRecord === undefined ? {} : { onRecord: options.onRecord }) })
  } catch (error) {
    if (error instanceof MalformedImportError) throw malformedImport(error.message)
    throw error
  }
}
