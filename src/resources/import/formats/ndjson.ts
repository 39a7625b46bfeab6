import { Compile } from 'typebox/compile'
import { NdjsonLine, ndjsonFormat, type ArticleLine, type AuthorLine, type CommentLine, type CorrectionOfLine, type LabelLine, type MediaLine, type PageLine, type SeoOfLine } from '../../export/ndjson.js'
import { MalformedImportError, type ImportedCorrection, type ImportedSeo, type ImportRecord } from '../records.js'

// Dateline's own export read back: the lines are checked against the schemas the export
// writes with, and each becomes the record any other format would give.

const checkLine = Compile(NdjsonLine)

function parseLine (text: string, lineNumber: number): NdjsonLine {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new MalformedImportError(`not JSON (${(error as Error).message})`, lineNumber, 1)
  }
  if (!checkLine.Check(value)) {
    const type = typeof value === 'object' && value !== null && 'type' in value ? String((value as { type: unknown }).type) : '?'
    throw new MalformedImportError(`is not a valid "${type}" line`, lineNumber, 1)
  }
  return value
}

const source = (id: number): { site: string, id: string, preferredId: number } => ({ site: '', id: String(id), preferredId: id })

function authorRecord (line: AuthorLine): ImportRecord {
  return { kind: 'author', source: source(line.id), name: line.name, slug: line.slug, email: line.email, bio: line.bio, avatarUrl: line.avatarUrl, url: line.url, createdAt: line.createdAt, updatedAt: line.updatedAt }
}

function articleRecord (line: ArticleLine): ImportRecord {
  return {
    kind: 'article',
    source: source(line.id),
    title: line.title,
    slug: line.slug,
    body: line.body,
    excerpt: line.excerpt,
    status: line.status,
    publishedAt: line.publishedAt,
    createdAt: line.createdAt,
    updatedAt: line.updatedAt,
    labels: line.labels,
    authorSourceId: String(line.authorId),
    sourceUrl: null,
    notes: [],
    ...(line.featuredImage == null ? {} : { featuredMediaSourceId: String(line.featuredImage) }),
    ...(line.coAuthorIds === undefined || line.coAuthorIds.length === 0 ? {} : { coAuthorSourceIds: line.coAuthorIds.map(String) }),
    ...(line.oldSlugs === undefined || line.oldSlugs.length === 0 ? {} : { oldSlugs: line.oldSlugs }),
    ...(line.unpublishAt == null ? {} : { unpublishAt: line.unpublishAt }),
    ...(line.corrections === undefined || line.corrections.length === 0 ? {} : { corrections: line.corrections.map(correctionOf) }),
    ...(line.seo === undefined ? {} : { seo: seoOf(line.seo) })
  }
}

function seoOf ({ socialImage, ...text }: SeoOfLine): ImportedSeo {
  return { ...text, socialMediaSourceId: socialImage === null ? null : String(socialImage) }
}

/** Times in our stored form (UTC, milliseconds), whatever offset the file wrote them with. */
function correctionOf (correction: CorrectionOfLine): ImportedCorrection {
  const utc = (at: string) => new Date(at).toISOString()
  return { id: correction.id, note: correction.note, correctedAt: utc(correction.correctedAt), createdAt: utc(correction.createdAt), updatedAt: utc(correction.updatedAt) }
}

/**
 * An image of the export: an external item at its `url` (the API's file, or the address an
 * imported image had); the import turns it into an upload when its original is beside the
 * file (media-originals.ts). An upload exported with no address to fetch it from is skipped.
 */
function mediaRecord (line: MediaLine): ImportRecord {
  if (line.url === null) return { kind: 'skip', resource: 'media', sourceId: String(line.id), reason: 'the export gives no address for its file' }
  return {
    kind: 'media',
    source: source(line.id),
    url: line.url,
    fileName: line.fileName,
    alt: line.alt,
    caption: line.caption,
    authorSourceId: line.ownerAuthorId === null ? null : String(line.ownerAuthorId),
    credit: line.credit,
    focalPoint: line.focalPoint,
    createdAt: line.createdAt,
    updatedAt: line.updatedAt,
    ...(line.key === null ? {} : { exportedKey: line.key })
  }
}

/** A label line of version 4 or later; an earlier one names only a label its articles carry anyway. */
function labelRecord (line: LabelLine): ImportRecord | null {
  if (line.id === undefined) return null
  return {
    kind: 'label',
    source: source(line.id),
    name: line.name,
    slug: line.slug ?? null,
    description: line.description ?? '',
    parentSourceId: line.parentId == null ? null : String(line.parentId)
  }
}

function commentRecord (line: CommentLine): ImportRecord {
  return {
    kind: 'comment',
    source: source(line.id),
    articleSourceId: String(line.articleId),
    parentSourceId: line.parentId === null ? null : String(line.parentId),
    authorName: line.authorName,
    authorEmail: line.authorEmail,
    authorUrl: line.authorUrl,
    body: line.body,
    status: line.status,
    createdAt: line.createdAt,
    updatedAt: line.updatedAt
  }
}

function pageRecord (line: PageLine): ImportRecord {
  return {
    kind: 'page',
    source: source(line.id),
    title: line.title,
    slug: line.slug,
    body: line.body,
    excerpt: line.excerpt,
    status: line.status,
    parentSourceId: line.parentId === null ? null : String(line.parentId),
    position: line.position,
    createdAt: line.createdAt,
    updatedAt: line.updatedAt,
    ...(line.seo === undefined ? {} : { seo: seoOf(line.seo) })
  }
}

function toRecord (line: NdjsonLine): ImportRecord | null {
  switch (line.type) {
    case 'header': return null
    case 'label': return labelRecord(line)
    case 'setting': return { kind: 'setting', name: line.name, value: line.value }
    case 'author': return authorRecord(line)
    case 'media': return mediaRecord(line)
    case 'article': return articleRecord(line)
    case 'day': return { kind: 'day', day: line.day, note: line.note, createdAt: line.createdAt, updatedAt: line.updatedAt }
    case 'comment': return commentRecord(line)
    case 'redirect': return { kind: 'redirect', from: line.from, to: line.to, status: line.status, createdAt: line.createdAt, updatedAt: line.updatedAt }
    case 'page': return pageRecord(line)
  }
}

/** Records from the lines of a Dateline NDJSON export; the first line must be its header. */
export async function * readNdjson (lines: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  let lineNumber = 0
  let header: NdjsonLine | null = null
  for await (const text of lines) {
    lineNumber++
    if (text.trim() === '') continue
    const line = parseLine(text, lineNumber)
    if (header === null) {
      if (line.type !== 'header') throw new MalformedImportError(`the first line must be the header of a "${ndjsonFormat}" export`, lineNumber, 1)
      header = line
      continue
    }
    if (line.type === 'header') throw new MalformedImportError('a second header line', lineNumber, 1)
    const record = toRecord(line)
    if (record !== null) yield record
  }
  if (header === null) throw new MalformedImportError('the file is empty')
}
