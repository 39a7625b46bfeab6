import type { ChangeKind } from '../../db/change-log.js'
import type { Store } from '../../db/store.js'
import type { ArticleRow, TouchedArticle } from './queries.js'
import { isVisible } from './visibility.js'

// What the change log records of articles (issue 20): the kind of each change, the fields it
// wrote under their API names, and whether a reader without a token could see the article
// before and after it (src/resources/changes/ turns that into what each reader is shown).

/** The API field each column is served as. */
const fieldOfColumn: Partial<Record<keyof ArticleRow, string>> = {
  slug: 'slug',
  title: 'title',
  status: 'status',
  publishedAt: 'publishedAt',
  publishedDay: 'date',
  unpublishAt: 'unpublishAt',
  authorId: 'authorId',
  excerpt: 'excerpt',
  body: 'body'
}

/** The fields an article comes (back) with: every one, labels when it has some. */
export function articleFields (labels: string[]): string[] {
  return [...new Set(Object.values(fieldOfColumn)), ...(labels.length > 0 ? ['labels'] : [])]
}

/** Whether a reader without a token sees the article at `now`. */
export function isPublic (row: ArticleRow | undefined, now: string): boolean {
  return row !== undefined && isVisible(row, { publishedOnly: true, alsoAuthorId: null, now })
}

/** The fields whose values differ between two versions of the article (`labels` when they were replaced and differ). */
export function changedFields (before: ArticleRow, after: ArticleRow, labels?: { before: string[], after: string[] }): string[] {
  const fields = new Set<string>()
  for (const [column, field] of Object.entries(fieldOfColumn)) {
    if (before[column as keyof ArticleRow] !== after[column as keyof ArticleRow]) fields.add(field)
  }
  if (labels !== undefined && JSON.stringify(labels.before) !== JSON.stringify(labels.after)) fields.add('labels')
  return [...fields]
}

/** What an edit did, as an editor names it: a change of status has its own name. */
function kindOfEdit (before: ArticleRow, after: ArticleRow): ChangeKind {
  if (before.status === after.status) return 'updated'
  return after.status === 'published' ? 'published' : after.status === 'scheduled' ? 'scheduled' : 'unpublished'
}

interface ArticleChange {
  kind?: ChangeKind
  /** The article before the change; none for a new one. */
  before?: ArticleRow
  /** After it; none when it left `articles` (trashed, purged). */
  after?: ArticleRow
  fields: string[]
  now: string
}

/** Notes a change of an article in the unit's change log. */
export function noteArticleChange (tx: Store, change: ArticleChange): void {
  const row = (change.after ?? change.before)!
  const kind = change.kind ?? (change.before === undefined ? 'created' : change.after === undefined ? 'trashed' : kindOfEdit(change.before, change.after))
  tx.noteChange({
    resource: 'article',
    resourceId: String(row.id),
    slug: row.slug,
    kind,
    fields: change.fields,
    articleId: row.id,
    authorId: row.authorId,
    publicBefore: isPublic(change.before, change.now),
    publicAfter: isPublic(change.after, change.now),
    at: change.now
  })
}

/**
 * Notes a write to many articles that changed `fields` of each and neither shows nor hides
 * any (their author reassigned, a label of theirs renamed or deleted).
 */
export function noteArticlesUpdated (tx: Store, touched: TouchedArticle[], fields: string[], now: string): void {
  for (const article of touched) {
    tx.noteChange({
      resource: 'article',
      resourceId: String(article.id),
      slug: article.slug,
      kind: 'updated',
      fields,
      articleId: article.id,
      authorId: article.authorId,
      publicBefore: article.isPublic,
      publicAfter: article.isPublic,
      at: now
    })
  }
}

/** Notes that scheduled articles were published, their time having come. */
export function notePublishedWhenDue (tx: Store, published: Array<Pick<ArticleRow, 'id' | 'slug' | 'authorId'>>, now: string): void {
  for (const article of published) {
    tx.noteChange({ resource: 'article', resourceId: String(article.id), slug: article.slug, kind: 'published', fields: ['status'], articleId: article.id, authorId: article.authorId, publicBefore: false, publicAfter: true, at: now })
  }
}

/** Notes that articles came down when their `unpublishAt` came: drafts again. */
export function noteTakenDownWhenDue (tx: Store, takenDown: Array<Pick<ArticleRow, 'id' | 'slug' | 'authorId'>>, now: string): void {
  for (const article of takenDown) {
    tx.noteChange({ resource: 'article', resourceId: String(article.id), slug: article.slug, kind: 'unpublished', fields: ['status', 'unpublishAt'], articleId: article.id, authorId: article.authorId, publicBefore: true, publicAfter: false, at: now })
  }
}

/** Notes that articles left the trash for good (nobody without a token saw them there). */
export function notePurged (tx: Store, purged: Array<Pick<ArticleRow, 'id' | 'slug' | 'authorId'>>, now: string): void {
  for (const article of purged) {
    tx.noteChange({
      resource: 'article',
      resourceId: String(article.id),
      slug: article.slug,
      kind: 'purged',
      fields: [],
      articleId: article.id,
      authorId: article.authorId,
      publicBefore: false,
      publicAfter: false,
      at: now
    })
  }
}
