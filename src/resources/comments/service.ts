import type { Store } from '../../db/store.js'
import type { CommentStatus } from '../../db/schema.js'
import { Forbidden, invalid, NotFound } from '../../errors.js'
import { countLinks, htmlToText, sanitizeCommentHtml } from '../../lib/html.js'
import { mapPage, parseSort, readPage, type Page, type PageRequest } from '../../lib/list.js'
import { mayNameRow } from '../../lib/slug.js'
import { nowIso, toUtcIso } from '../../lib/time.js'
import { acceptedEmail, acceptedHttpUrl, singleLine } from '../../lib/values.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { articleQueries, type ArticleRow } from '../articles/queries.js'
import { findVisibleArticle } from '../articles/service.js'
import { currentView, type View } from '../articles/view.js'
import { noteCommentChange } from './changes.js'
import { moderates, toComment } from './presenter.js'
import { commentQueries, type CommentRow, type ModerationFilters, type NewCommentRow } from './queries.js'
import {
  commentSortFields,
  type CommentBody, type CommentListQueryString, type CommentPatchBody,
  type CommentThreadBody, type NewCommentBody
} from './schemas.js'

/** The version a comment's ETag carries, for `If-Match`. */
export function commentVersion (row: CommentRow): string {
  return `comment-${row.id}-v${row.version}`
}

interface Placed { thread: CommentThreadBody, level: number, holder: Placed | null }

/**
 * Nests replies under their parents, keeping each level in the order given. Breadth first
 * and without recursion, so a chain thousands deep (imported, or from before the cap) cannot
 * exhaust the stack. A reply to a comment at level `depth` joins that comment's siblings,
 * where it would be posted now; that also bounds the response serialiser's recursion.
 */
function nest (roots: CommentRow[], replies: CommentRow[], showEmail: boolean, depth: number): CommentThreadBody[] {
  const byParent = new Map<number, CommentRow[]>()
  for (const reply of replies) {
    const siblings = byParent.get(reply.parentId!) ?? []
    siblings.push(reply)
    byParent.set(reply.parentId!, siblings)
  }
  const placed = new Map<number, Placed>()
  const queue: Placed[] = []
  for (const root of roots) {
    const node = { thread: { ...toComment(root, showEmail), replies: [] }, level: 1, holder: null }
    placed.set(root.id, node)
    queue.push(node)
  }
  for (let next = 0; next < queue.length; next++) {
    const parent = queue[next]!
    const holder = parent.level < depth ? parent : parent.holder!
    for (const reply of byParent.get(parent.thread.id) ?? []) {
      const node = { thread: { ...toComment(reply, showEmail), replies: [] }, level: holder.level + 1, holder }
      placed.set(reply.id, node)
      queue.push(node)
    }
  }
  for (const reply of replies) {
    const node = placed.get(reply.id)
    node?.holder?.thread.replies.push(node.thread)
  }
  return roots.map((root) => placed.get(root.id)!.thread)
}

/** A page of an article's approved comments, oldest first: all of them, or the top-level ones. */
async function approvedPage (store: Store, idOrSlug: string, query: PageRequest, viewer: Principal | null, topLevelOnly: boolean, view: View): Promise<{ page: Page<CommentRow>, showEmail: boolean }> {
  const { now } = view
  const article = await findVisibleArticle(store, idOrSlug, viewer, now)
  const comments = commentQueries(store)
  const page = await readPage(query, [{ field: 'createdAt', descending: false }], {
    count: async (after) => await comments.countApproved(article.id, topLevelOnly, after),
    fetch: async (after, limit, offset) => await comments.pageOfApproved(article.id, topLevelOnly, after, limit, offset),
    cursorOf: (row) => [row.createdAt, row.id]
  })
  return { page, showEmail: moderates(viewer, article) }
}

/** The view a list is read at; routes take it first when its ETag may answer 304. */
export { currentView }

/** An article's approved comments, oldest first, replies listed among them. `view`: the one the list's ETag was made from. */
export async function listForArticle (store: Store, idOrSlug: string, query: PageRequest, viewer: Principal | null, view: View): Promise<Page<CommentBody>> {
  const { page, showEmail } = await approvedPage(store, idOrSlug, query, viewer, false, view)
  return await mapPage(page, (rows) => rows.map((row) => toComment(row, showEmail)))
}

/**
 * An article's approved top-level comments, oldest first (pages count them), each with its
 * approved replies nested down to the depth cap (two queries in all).
 */
export async function threadsForArticle (store: Store, settings: Pick<SiteSettings, 'commentDepth'>, idOrSlug: string, query: PageRequest, viewer: Principal | null, view: View): Promise<Page<CommentThreadBody>> {
  const { page, showEmail } = await approvedPage(store, idOrSlug, query, viewer, true, view)
  return await mapPage(page, async (roots) => nest(roots, await commentQueries(store).approvedRepliesBelow(roots.map((root) => root.id)), showEmail, settings.commentDepth))
}

/** The article's id for an id or a slug (for keys such as the rate limit's), or the input as given. */
export async function articleKey (store: Store, idOrSlug: string): Promise<string> {
  const article = mayNameRow(idOrSlug) ? await articleQueries(store).articleBySlugOrId(idOrSlug) : undefined
  return String(article?.id ?? idOrSlug)
}

/**
 * Moderators of an article answer its readers unthrottled. Any other token is limited like
 * a reader: an author token could otherwise flood every other author's articles.
 */
export async function commentsUnthrottled (store: Store, idOrSlug: string, viewer: Principal | null): Promise<boolean> {
  if (viewer === null || !mayNameRow(idOrSlug)) return false
  const article = await articleQueries(store).articleBySlugOrId(idOrSlug)
  return article !== undefined && moderates(viewer, article)
}

/** A body that sanitises to nothing (only a script, say) is refused rather than stored empty. */
function sanitizedBody (input: string, path: string): string {
  const body = sanitizeCommentHtml(input)
  if (htmlToText(body) === '') throw invalid(path, 'has no text once unsafe markup is removed')
  return body
}

/**
 * The comment a reply goes under. Readers answer only comments they can see: held, spam,
 * rejected, deleted, another article's and missing ones are refused alike, so the refusal
 * tells nothing about them. Past the depth cap a reply answers beside its parent, under the
 * deepest comment that may have replies (as WordPress threads do).
 */
async function parentFor (store: Store, parentId: number | null | undefined, articleId: number, moderator: boolean, depth: number): Promise<number | null> {
  if (parentId == null) return null
  // Locked: moderated away or deleted meanwhile, it would take a reply it should refuse.
  const parent = await commentQueries(store).commentByIdForUpdate(parentId)
  const answerable = parent !== undefined && parent.articleId === articleId && (moderator || parent.status === 'approved')
  if (!answerable) throw invalid('body.parentId', 'is not a comment of this article that you can reply to')
  const chain = await commentQueries(store).chainTo(parentId)
  return chain.length < depth ? parentId : chain[depth - 2]!
}

// A person takes longer than this to write a comment; links beyond the limit need a moderator.
const minSecondsToWrite = 3
const maxLinksUnmoderated = 2

function looksAutomated (input: NewCommentBody, now: string): boolean {
  if (input.website !== undefined && input.website.trim() !== '') return true
  if (input.formStartedAt === undefined) return false
  return Date.parse(now) - Date.parse(toUtcIso(input.formStartedAt, 'body.formStartedAt')) < minSecondsToWrite * 1000
}

/**
 * Where a new comment starts. Staff (an editor, or the article's author) are approved at
 * once; a filled honeypot or an inhumanly quick post is spam; more links than a reader
 * usually shares wait for a moderator even when comments are approved automatically.
 */
function initialStatus (input: NewCommentBody, body: string, staff: boolean, autoApprove: boolean, now: string): CommentStatus {
  if (staff) return 'approved'
  if (looksAutomated(input, now)) return 'spam'
  if (countLinks(body) > maxLinksUnmoderated) return 'pending'
  return autoApprove ? 'approved' : 'pending'
}

/** What a non-moderator is told: spam is accepted silently, as if awaiting moderation. */
function asToldToPoster (comment: CommentBody, moderator: boolean): CommentBody {
  return !moderator && comment.status === 'spam' ? { ...comment, status: 'pending' } : comment
}

/**
 * A reader's comment. Anyone may post on an article anonymous readers can see; it starts
 * `pending` unless the site approves automatically (see `initialStatus`).
 */
export async function createForArticle (store: Store, settings: Pick<SiteSettings, 'commentsAutoApprove' | 'commentDepth'>, idOrSlug: string, input: NewCommentBody, viewer: Principal | null): Promise<{ comment: CommentBody, version: string }> {
  const view = await currentView(store)
  return await store.transaction(async (tx) => {
    const article = await findVisibleArticle(tx, idOrSlug, null, view.now)
    const staff = moderates(viewer, article)
    const parentId = await parentFor(tx, input.parentId, article.id, staff, settings.commentDepth)
    const now = nowIso()
    const body = sanitizedBody(input.body, 'body.body')
    const status = initialStatus(input, body, staff, settings.commentsAutoApprove, now)
    const row = await commentQueries(tx).insertComment({
      articleId: article.id,
      parentId,
      authorName: input.authorName.trim(),
      authorUrl: input.authorUrl ?? null,
      authorEmail: input.authorEmail ?? null,
      body,
      status,
      createdAt: now,
      updatedAt: now
    })
    if (status === 'approved') await commentQueries(tx).recountApproved(article.id)
    noteCommentChange(tx, { after: row, article, now })
    return { comment: asToldToPoster(toComment(row, staff), staff), version: commentVersion(row) }
  })
}

/**
 * The article a moderation filter names. One the viewer can't read (another author's draft)
 * is refused exactly as a missing one, as `GET /v1/articles/{id}` answers it with a 404.
 */
async function articleNamedInQuery (store: Store, idOrSlug: string, viewer: Principal, view: View): Promise<ArticleRow> {
  try {
    return await findVisibleArticle(store, idOrSlug, viewer, view.now)
  } catch (error) {
    if (error instanceof NotFound) throw invalid('querystring.article', 'is not an article you can see')
    throw error
  }
}

async function moderationFilters (store: Store, query: CommentListQueryString, viewer: Principal, view: View): Promise<ModerationFilters> {
  const filters: ModerationFilters = {}
  if (query.status !== undefined) filters.status = query.status
  if (query.article !== undefined) filters.articleId = (await articleNamedInQuery(store, query.article, viewer, view)).id
  if (!hasRole(viewer, 'editor')) filters.onArticlesOf = viewer.authorId!
  return filters
}

/** The moderation queue: every comment in every status, newest first by default. */
export async function listForModeration (store: Store, query: CommentListQueryString, viewer: Principal): Promise<Page<CommentBody>> {
  // A filter by an article due to be published finds it as readers would.
  const view = await currentView(store)
  const sort = parseSort(query.sort, commentSortFields, '-createdAt')
  const filters = await moderationFilters(store, query, viewer, view)
  const comments = commentQueries(store)
  const page = await readPage(query, sort, {
    count: async (after) => await comments.countForModeration(filters, after === undefined ? undefined : sort, after),
    fetch: async (after, limit, offset) => await comments.pageForModeration({ filters, sort, after, limit, offset }),
    cursorOf: (row) => [...sort.map((key) => row[key.field]), row.id]
  })
  return await mapPage(page, (rows) => rows.map((row) => toComment(row, true)))
}

/**
 * A comment its moderator may see; others get a 404, as if it weren't there. `forUpdate`: read
 * in a unit of work that checks the comment before it writes it.
 */
async function findModerated (store: Store, id: number, viewer: Principal, forUpdate = false): Promise<{ comment: CommentRow, article: ArticleRow }> {
  const queries = commentQueries(store)
  const comment = forUpdate ? await queries.commentByIdForUpdate(id) : await queries.commentById(id)
  const article = comment === undefined ? undefined : await articleQueries(store).articleById(comment.articleId)
  if (comment === undefined || article === undefined || !moderates(viewer, article)) throw new NotFound(`There is no comment ${id}`)
  return { comment, article }
}

export async function findOne (store: Store, id: number, viewer: Principal): Promise<{ comment: CommentBody, version: string }> {
  const { comment } = await findModerated(store, id, viewer)
  return { comment: toComment(comment, true), version: commentVersion(comment) }
}

export async function updateOne (store: Store, id: number, patch: CommentPatchBody, viewer: Principal, ifMatch: string | undefined): Promise<{ comment: CommentBody, version: string }> {
  return await store.transaction(async (tx) => {
    const { comment, article } = await findModerated(tx, id, viewer, true)
    assertIfMatch(ifMatch, commentVersion(comment))
    const editsText = patch.body !== undefined || patch.authorName !== undefined || patch.authorUrl !== undefined
    if (editsText && !hasRole(viewer, 'editor')) throw new Forbidden('Only editors edit what a reader wrote; an author token may change the status')
    const values: Partial<NewCommentRow> = { updatedAt: nowIso() }
    if (patch.status !== undefined) values.status = patch.status
    if (patch.body !== undefined) values.body = sanitizedBody(patch.body, 'body.body')
    if (patch.authorName !== undefined) values.authorName = patch.authorName.trim()
    if (patch.authorUrl !== undefined) values.authorUrl = patch.authorUrl
    const row = await commentQueries(tx).updateComment(comment.id, values)
    if (row.status !== comment.status) await commentQueries(tx).recountApproved(comment.articleId)
    noteCommentChange(tx, { before: comment, after: row, article, now: values.updatedAt! })
    return { comment: toComment(row, true), version: commentVersion(row) }
  })
}

/** Deletes a comment; its replies are kept and move up to its parent. */
export async function removeOne (store: Store, id: number, viewer: Principal, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const { comment, article } = await findModerated(tx, id, viewer, true)
    assertIfMatch(ifMatch, commentVersion(comment))
    await commentQueries(tx).deleteComment(comment)
    if (comment.status === 'approved') await commentQueries(tx).recountApproved(comment.articleId)
    noteCommentChange(tx, { before: comment, article, now: nowIso() })
  })
}

/** A comment as an import brings it, in our terms (see src/resources/import/). */
export interface ImportedCommentValues {
  articleId: number
  /** As the source has it: made one line here, "Anonymous" when nothing is left. */
  authorName: string
  /** Kept when an http(s) address, as the email when one; dropped otherwise. */
  authorUrl: string | null
  authorEmail: string | null
  /** HTML (or plain text) from the source, sanitised here like any other body. */
  body: string
  status: CommentStatus
  createdAt: string
  updatedAt: string
  /** Our id to give a new comment when it is free (a round trip of our own export). */
  preferredId?: number
  /** `body` already sanitised as `sanitizeCommentHtml` does (an import's worker threads did it). */
  sanitisedBody?: string
}

/**
 * A comment an import may update or reply under, by id: locked until the import's unit ends,
 * so a comment deleted meanwhile is found gone rather than written after it went.
 */
export async function findImportedComment (tx: Store, id: number): Promise<CommentRow | undefined> {
  return await commentQueries(tx).commentByIdForUpdate(id)
}

/**
 * Creates an imported comment, or rewrites `existing` with what the source now says, by the
 * rules a comment follows (sanitised body, one-line name, only addresses that are addresses),
 * with the source's own times. Null when the body is empty once sanitised: nothing is
 * written. Written without its parent (`linkImportedReply` sets it once every comment is
 * in) and not counted on its article (`recountImportedArticles`, once per article).
 * `article` is the one `input.articleId` names, as the import has it: the import reads each
 * article once for all its comments, not once per comment.
 */
export async function writeImportedComment (tx: Store, input: ImportedCommentValues, existing: CommentRow | undefined, article: ArticleRow): Promise<CommentRow | null> {
  const body = input.sanitisedBody ?? sanitizeCommentHtml(input.body)
  if (body.replace(/<[^>]*>/g, '').trim() === '') return null
  const comments = commentQueries(tx)
  const values = {
    articleId: input.articleId,
    parentId: null,
    authorName: singleLine(input.authorName, 100) || 'Anonymous',
    authorUrl: acceptedHttpUrl(input.authorUrl),
    authorEmail: acceptedEmail(input.authorEmail),
    body,
    status: input.status,
    createdAt: input.createdAt,
    updatedAt: input.updatedAt
  }
  const preferredIdFree = existing === undefined && input.preferredId !== undefined && await comments.commentById(input.preferredId) === undefined
  const row = existing !== undefined
    ? await comments.updateComment(existing.id, values)
    : await comments.insertComment({ ...values, ...(preferredIdFree ? { id: input.preferredId } : {}) })
  noteCommentChange(tx, { before: existing, after: row, article, now: nowIso() })
  return row
}

/**
 * Puts an imported reply under its parent when the parent is still there (locked, as above)
 * and on the reply's article; false when it is not, and the reply stays top-level.
 */
export async function linkImportedReply (tx: Store, reply: { id: number, articleId: number }, parentId: number): Promise<boolean> {
  const parent = await findImportedComment(tx, parentId)
  if (parent === undefined || parent.articleId !== reply.articleId) return false
  await commentQueries(tx).setParent(reply.id, parent.id)
  return true
}

/** Counts the approved comments of articles an import wrote comments on, once each. */
export async function recountImportedArticles (tx: Store, articleIds: Iterable<number>): Promise<void> {
  for (const articleId of articleIds) await commentQueries(tx).recountApproved(articleId)
}
