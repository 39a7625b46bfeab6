import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import * as articles from '../../src/resources/articles/service.js'
import * as authors from '../../src/resources/authors/service.js'
import * as comments from '../../src/resources/comments/service.js'
import * as corrections from '../../src/resources/corrections/service.js'
import * as dates from '../../src/resources/dates/service.js'
import * as labels from '../../src/resources/labels/service.js'
import * as pages from '../../src/resources/pages/service.js'
import { mediaQueries } from '../../src/resources/media/queries.js'
import * as media from '../../src/resources/media/service.js'
import * as redirects from '../../src/resources/redirects/service.js'
import * as previews from '../../src/resources/previews/service.js'
import type { Principal } from '../../src/lib/principal.js'
import { createToken, listTokens } from '../../src/resources/tokens/service.js'
import { fanOut } from '../../src/resources/webhooks/deliverer.js'
import * as webhooks from '../../src/resources/webhooks/service.js'
import { adminSecret, bearer, build, checkAgainstDocument, request, tokenFor } from '../helper.js'
import { multipart, photo } from '../media.js'

// The role matrix (issue 5): every operation of the OpenAPI document, asked by each kind of
// caller, answers exactly the status the access rules give. The operations come from the
// document itself, so a route added without a row here fails. Two test files run it, one for
// the operations that read and one for those that write, side by side.

type Item = Record<string, any>
type Caller = 'anonymous' | 'own' | 'other' | 'editor' | 'admin'

const callers: readonly Caller[] = ['anonymous', 'own', 'other', 'editor', 'admin']

const callerNames: Record<Caller, string> = {
  anonymous: 'an anonymous caller',
  own: 'the owning author\'s token',
  other: 'another author\'s token',
  editor: 'an editor',
  admin: 'an admin'
}

/** Statuses in the order of `callers`. */
type Row = readonly [anonymous: number, own: number, other: number, editor: number, admin: number]

// "own" is an author token bound to the author who owns the target (for authors routes: the
// author's own record; for routes without a target, simply an author token); "other" is a
// token bound to a different author.
//
// Expected status, per operationId and target:                   anon own  oth  edit admin
const expected: Record<string, Record<string, Row>> = {
  getServerIndex: {
    'the links':                                                 [200, 200, 200, 200, 200]
  },
  getApiIndex: {
    'the links':                                                 [200, 200, 200, 200, 200]
  },
  getHealth: {
    'the process':                                               [200, 200, 200, 200, 200]
  },
  getReadiness: {
    'the database':                                              [200, 200, 200, 200, 200]
  },
  listAuthors: {
    'all authors':                                               [200, 200, 200, 200, 200]
  },
  getAuthor: {
    'the own author record':                                     [200, 200, 200, 200, 200]
  },
  createAuthor: {
    'a new author':                                              [401, 403, 403, 201, 201]
  },
  updateAuthor: {
    'the own author record':                                     [401, 200, 403, 200, 200]
  },
  deleteAuthor: {
    'the own author record, reassigning its articles':           [401, 403, 403, 204, 204],
    'the own author record, keeping its articles':               [401, 403, 403, 409, 409]
  },
  listArticles: {
    'all articles':                                              [200, 200, 200, 200, 200]
  },
  getArticle: {
    'the own draft':                                             [404, 200, 404, 200, 200],
    'the own published article':                                 [200, 200, 200, 200, 200],
    'the own published article with author and comments':        [200, 200, 200, 200, 200],
    'a draft the own author co-authors':                         [404, 200, 200, 200, 200]
  },
  listRelatedArticles: {
    'the own draft':                                             [404, 200, 404, 200, 200],
    'the own published article':                                 [200, 200, 200, 200, 200]
  },
  createArticle: {
    'a draft for the own author':                                [401, 201, 403, 201, 201],
    'a published article for the own author':                    [401, 403, 403, 201, 201]
  },
  updateArticle: {
    'the own draft':                                             [401, 200, 404, 200, 200],
    'the own draft, publishing it':                              [401, 403, 404, 200, 200],
    'the own draft, adding the other author to its byline':      [401, 200, 404, 200, 200],
    'a draft the own author co-authors':                         [401, 200, 200, 200, 200],
    'a draft the own author co-authors, taking its lead':        [401, 403, 403, 200, 200],
    'the own draft, handing it to the other author':             [401, 403, 404, 200, 200],
    'the own published article':                                 [401, 403, 403, 200, 200]
  },
  listArticleRevisions: {
    'the own draft':                                             [401, 200, 404, 200, 200],
    'a draft the own author co-authors':                         [401, 200, 200, 200, 200],
    'the own published article':                                 [401, 200, 403, 200, 200]
  },
  getArticleRevision: {
    'the own draft, revision 1':                                 [401, 200, 404, 200, 200],
    'a draft the own author co-authors, revision 1':             [401, 200, 200, 200, 200],
    'the own published article, revision 1':                     [401, 200, 403, 200, 200]
  },
  restoreArticleRevision: {
    'the own draft, revision 1':                                 [401, 200, 404, 200, 200],
    'a draft the own author co-authors, revision 1':             [401, 200, 200, 200, 200],
    'the own published article, revision 1':                     [401, 403, 403, 200, 200]
  },
  deleteArticle: {
    'the own draft':                                             [401, 204, 404, 204, 204],
    'a draft the own author co-authors':                         [401, 403, 204, 204, 204],
    'the own published article':                                 [401, 403, 403, 204, 204]
  },
  // Preview links: made by whoever may change the article; seen and revoked by editors and the authors on its byline.
  createArticlePreview: {
    'the own draft':                                             [401, 201, 404, 201, 201],
    'a draft the own author co-authors':                         [401, 201, 201, 201, 201],
    'the own published article':                                 [401, 403, 403, 201, 201]
  },
  listArticlePreviews: {
    'the own draft':                                             [401, 200, 404, 200, 200],
    'a draft the own author co-authors':                         [401, 200, 200, 200, 200],
    'the own published article':                                 [401, 200, 403, 200, 200]
  },
  getArticlePreview: {
    'the own draft\'s link':                                     [401, 200, 404, 200, 200]
  },
  revokeArticlePreview: {
    'the own draft\'s link':                                     [401, 204, 404, 204, 204],
    'the own published article\'s link':                         [401, 204, 403, 204, 204]
  },
  listArticleComments: {
    'the own published article':                                 [200, 200, 200, 200, 200],
    'the own draft':                                             [404, 200, 404, 200, 200]
  },
  listArticleCommentThread: {
    'the own published article':                                 [200, 200, 200, 200, 200],
    'the own draft':                                             [404, 200, 404, 200, 200]
  },
  listArticleCorrections: {
    'the own published article':                                 [200, 200, 200, 200, 200],
    'the own draft':                                             [404, 200, 404, 200, 200]
  },
  getArticleCorrection: {
    'the own published article\'s correction':                   [200, 200, 200, 200, 200],
    'the own draft\'s correction':                               [404, 200, 404, 200, 200]
  },
  createArticleCorrection: {
    'the own published article':                                 [401, 403, 403, 201, 201],
    'the own draft':                                             [401, 201, 404, 201, 201]
  },
  updateArticleCorrection: {
    'the own published article\'s correction':                   [401, 403, 403, 200, 200],
    'the own draft\'s correction':                               [401, 200, 404, 200, 200]
  },
  deleteArticleCorrection: {
    'the own published article\'s correction':                   [401, 403, 403, 204, 204],
    'the own draft\'s correction':                               [401, 204, 404, 204, 204]
  },
  listCorrections: {
    'every correction':                                          [200, 200, 200, 200, 200]
  },
  createComment: {
    'the own published article':                                 [201, 201, 201, 201, 201],
    'the own draft':                                             [404, 404, 404, 404, 404]
  },
  listComments: {
    'the moderation queue':                                      [401, 200, 200, 200, 200],
    'the moderation queue of the other\'s article':              [401, 200, 200, 200, 200]
  },
  getComment: {
    'a pending comment on the own article':                      [401, 200, 404, 200, 200]
  },
  updateComment: {
    'a pending comment on the own article, approving':           [401, 200, 404, 200, 200],
    'an approved comment on the own article, editing its text':  [401, 403, 404, 200, 200]
  },
  deleteComment: {
    'a pending comment on the own article':                      [401, 204, 404, 204, 204]
  },
  listDates: {
    'all days':                                                  [200, 200, 200, 200, 200]
  },
  getDate: {
    'a day with a note':                                         [200, 200, 200, 200, 200]
  },
  createDate: {
    'a day that does not exist yet':                             [401, 403, 403, 201, 201]
  },
  updateDate: {
    'a day with a note':                                         [401, 403, 403, 200, 200]
  },
  deleteDate: {
    'a day with a note and no articles':                         [401, 403, 403, 204, 204]
  },
  getArchive: {
    'the archive':                                               [200, 200, 200, 200, 200]
  },
  listLabels: {
    'all labels':                                                [200, 200, 200, 200, 200],
    'the labels under a label':                                  [200, 200, 200, 200, 200]
  },
  getLabel: {
    'a label a published article carries':                       [200, 200, 200, 200, 200],
    'a label a published article carries, by its slug':          [200, 200, 200, 200, 200],
    'a label only a draft carries':                              [404, 404, 404, 200, 200],
    'a label only a draft carries, by its slug':                 [404, 404, 404, 200, 200]
  },
  createLabel: {
    'a new label':                                               [401, 403, 403, 201, 201]
  },
  updateLabel: {
    'a label a published article carries':                       [401, 403, 403, 200, 200],
    'the slug, description and parent of one under it, by slug': [401, 403, 403, 200, 200]
  },
  deleteLabel: {
    'a label a published article carries':                       [401, 403, 403, 204, 204]
  },
  // Pages are the site's: readers see the published ones, editors write them all.
  listPages: {
    'the pages under a published page':                          [200, 200, 200, 200, 200]
  },
  getPage: {
    'a published page':                                          [200, 200, 200, 200, 200],
    'a draft page, by its slug':                                 [404, 404, 404, 200, 200]
  },
  createPage: {
    'a new page':                                                [401, 403, 403, 201, 201]
  },
  updatePage: {
    'a published page':                                          [401, 403, 403, 200, 200]
  },
  deletePage: {
    'a published page':                                          [401, 403, 403, 204, 204]
  },
  // A page's history is its writers', the editors'.
  listPageRevisions: {
    'a published page edited once':                              [401, 403, 403, 200, 200]
  },
  getPageRevision: {
    'a published page, revision 1':                              [401, 403, 403, 200, 200]
  },
  restorePageRevision: {
    'a published page, revision 1':                              [401, 403, 403, 200, 200]
  },
  listChanges: {
    'the change log':                                            [200, 200, 200, 200, 200]
  },
  // Live updates are the public changes, whoever asks: a draft can't be followed, even by its
  // author. (A stream that opens never ends, so the open ones are tested in stream.test.ts.)
  streamChanges: {
    'the own draft':                                             [404, 404, 404, 404, 404]
  },
  suggestTitles: {
    'titles completing a word':                                  [200, 200, 200, 200, 200]
  },
  // A batch needs a token; each of its operations then the role its single route needs, and
  // one refused operation fails the batch (422) with nothing written.
  runBatch: {
    'a draft for the own author':                                [401, 200, 422, 200, 200],
    'a note for a new day, then a draft for the own author':     [401, 422, 422, 200, 200]
  },
  listTokens: {
    'all tokens':                                                [401, 403, 403, 403, 200]
  },
  createToken: {
    'a new editor token':                                        [401, 403, 403, 403, 201]
  },
  getToken: {
    'the spare token':                                           [401, 403, 403, 403, 200]
  },
  revokeToken: {
    'a spare token':                                             [401, 403, 403, 403, 204]
  },
  // The lookup is anyone's, and sends no one where they may not read; the redirects themselves are editors'.
  listRedirects: {
    'the path of a redirect to a published article':             [200, 200, 200, 200, 200],
    'the path of a redirect to the own draft':                   [404, 200, 404, 200, 200],
    'the editors\' redirects':                                   [401, 403, 403, 200, 200]
  },
  createRedirect: {
    'a new redirect':                                            [401, 403, 403, 201, 201]
  },
  getRedirect: {
    'the world\'s redirect':                                     [401, 403, 403, 200, 200]
  },
  updateRedirect: {
    'the world\'s redirect':                                     [401, 403, 403, 200, 200]
  },
  deleteRedirect: {
    'the world\'s redirect':                                     [401, 403, 403, 204, 204]
  },
  listWebhooks: {
    'all webhooks':                                              [401, 403, 403, 403, 200]
  },
  createWebhook: {
    'a webhook to a public address':                             [401, 403, 403, 403, 201]
  },
  getWebhook: {
    'the world\'s webhook':                                     [401, 403, 403, 403, 200]
  },
  updateWebhook: {
    'the world\'s webhook':                                     [401, 403, 403, 403, 200]
  },
  deleteWebhook: {
    'the world\'s webhook':                                     [401, 403, 403, 403, 204]
  },
  rotateWebhookSecret: {
    'the world\'s webhook':                                     [401, 403, 403, 403, 200]
  },
  listWebhookDeliveries: {
    'the world\'s webhook\'s':                                 [401, 403, 403, 403, 200]
  },
  getWebhookDelivery: {
    'a delivery of the world\'s webhook':                       [401, 403, 403, 403, 200]
  },
  redeliverWebhookDelivery: {
    'a delivery of the world\'s webhook':                       [401, 403, 403, 403, 202]
  },
  importFile: {
    'a Blogger API post (JSON)':                                 [401, 403, 403, 200, 200]
  },
  exportAll: {
    'everything, e-mails included':                              [401, 403, 403, 403, 200]
  },
  listTrash: {
    'the trash':                                                 [401, 200, 200, 200, 200]
  },
  emptyTrash: {
    'everything in it':                                          [401, 403, 403, 204, 204]
  },
  getTrashedArticle: {
    'the own trashed draft':                                     [401, 200, 404, 200, 200],
    'the own trashed published article':                         [401, 200, 404, 200, 200]
  },
  restoreArticle: {
    'the own trashed draft':                                     [401, 200, 404, 200, 200],
    'the own trashed published article':                         [401, 403, 404, 200, 200]
  },
  purgeArticle: {
    'the own trashed draft':                                     [401, 204, 404, 204, 204],
    'the own trashed published article':                         [401, 403, 404, 204, 204]
  },
  // Deleted pages: editors', as pages are.
  listTrashedPages: {
    'the trash of pages':                                        [401, 403, 403, 200, 200]
  },
  getTrashedPage: {
    'a trashed page, by its slug':                               [401, 403, 403, 200, 200]
  },
  restorePage: {
    'a trashed page':                                            [401, 403, 403, 200, 200]
  },
  purgePage: {
    'a trashed page':                                            [401, 403, 403, 204, 204]
  },
  atomFeed: {
    'the latest published articles':                             [200, 200, 200, 200, 200]
  },
  rssFeed: {
    'the latest published articles':                             [200, 200, 200, 200, 200]
  },
  jsonFeed: {
    'the latest published articles':                             [200, 200, 200, 200, 200]
  },
  correctionsAtomFeed: {
    'the latest corrections of published articles':              [200, 200, 200, 200, 200]
  },
  sitemap: {
    'the front end\'s pages':                                    [200, 200, 200, 200, 200]
  },
  sitemapPage: {
    'the first page':                                            [200, 200, 200, 200, 200]
  },
  // The media library: any author uploads and reads it; authors change and delete only the
  // images they uploaded; an image in use is kept (409) unless an editor forces it off.
  uploadMedia: {
    'a small JPEG':                                              [401, 201, 201, 201, 201]
  },
  listMedia: {
    'the library':                                               [401, 200, 200, 200, 200]
  },
  getMedia: {
    'the own image':                                             [401, 200, 200, 200, 200]
  },
  updateMedia: {
    'the own image':                                             [401, 200, 403, 200, 200]
  },
  deleteMedia: {
    'the own image':                                             [401, 204, 403, 204, 204],
    'the own image the own draft features':                      [401, 409, 403, 409, 409],
    'the own image the own draft features, with force=true':     [401, 403, 403, 204, 204]
  }
}

// --- The world each cell runs in --------------------------------------------------

interface WorldImages {
  own: Item
  featured: Item
}

interface WorldCorrections {
  ownPublished: Item
  ownDraft: Item
  otherDraft: Item
}

interface World {
  n: number
  /** Author A, whom "own" tokens are bound to, and author B, the "other". */
  own: Item
  other: Item
  ownDraft: Item
  ownPublished: Item
  otherDraft: Item
  otherPublished: Item
  /** A draft B leads and A co-authors (issue 22, part 4). */
  sharedDraft: Item
  /** On ownPublished. */
  pending: Item
  approved: Item
  /** On otherPublished. */
  otherPending: Item
  /** Public corrections, one on each of A's articles and one on B's draft (in the corrections rows' worlds only). */
  corrections: WorldCorrections | null
  /** A's articles an editor deleted: in the trash. */
  ownTrashedDraft: Item
  ownTrashedPublished: Item
  /** Images A uploaded (in the media rows' worlds only): one no article uses, one A's draft features. */
  images: WorldImages | null
  /** A day with an editor's note and no articles. */
  notedDay: string
  /** Labels: one only A's published article carries, one only B's draft, and one no article carries under the first. */
  labels: { ward: number, wardSlug: string, unpublished: number, unpublishedSlug: string, street: number, streetSlug: string }
  /** A published page (edited once: it has a revision 1) with a draft page under it, and a page an editor deleted. */
  pages: { published: { id: number, slug: string }, draft: { id: number, slug: string }, trashed: { id: number, slug: string } }
  /** A day nobody created and no article is on. */
  freeDay: string
  spare: { id: number, secret: string }
  /** Redirects from `/matrix-<n>/…` to A's published article and to A's draft. */
  redirects: { toPublished: Item, toDraft: Item }
  /** A preview link of each of A's draft and published article (an admin's). */
  links: { draft: { id: number, token: string }, published: { id: number, token: string } }
  /** A webhook told of authors' changes, with a delivery for each of A and B (never sent: the matrix's apps send none). */
  webhook: { id: number, updatedAt: string, deliveryIds: number[] }
  secrets: Record<Exclude<Caller, 'anonymous'>, string>
}

/** The matrix's apps: comments unlimited, and no webhook round (the worlds' deliveries stay as made, never sent). */
const quietApp = { commentRateLimit: 10_000, webhooks: { pollMs: 3_600_000 } }

const staff: Principal = { role: 'admin', authorId: null, tokenId: null }
const ownPublishedAt = '2025-03-10T09:00:00.000Z'
const otherPublishedAt = '2025-04-12T15:30:00.000Z'
let worlds = 0

/** A tiny JPEG, made once: processing it takes milliseconds, so every world has its own images. */
const smallPhoto = photo(24, 16)

/** An image uploaded by `owner` (through the service the upload route calls). */
async function ownedImage (app: FastifyInstance, owner: Item, fileName: string): Promise<Item> {
  const data = await smallPhoto
  const image = await app.media.process(data, fileName)
  const viewer: Principal = { role: 'author', authorId: owner.id, tokenId: null }
  return (await media.createOne(app.store, app.media.store, { fileName, original: data, image, fields: { alt: 'As uploaded' } }, viewer)).media
}

/**
 * A's images, made only for the media rows: most rows never look at them, and a world is
 * made for every cell of a write.
 */
async function imagesFor (app: FastifyInstance, own: Item, ownDraft: Item, n: number): Promise<WorldImages> {
  const images = { own: await ownedImage(app, own, `own-${n}.jpg`), featured: await ownedImage(app, own, `own-featured-${n}.jpg`) }
  // Attached as the fixture's last step, without a revision or a change of its own.
  await app.store.transaction(async (tx) => { await mediaQueries(tx).setFeatured(ownDraft.id, images.featured.id) })
  return images
}

/** Corrections filed by an editor, made only for the corrections rows (as images are for the media rows). */
async function correctionsFor (app: FastifyInstance, on: { ownPublished: Item, ownDraft: Item, otherDraft: Item }, n: number): Promise<WorldCorrections> {
  const correct = async (article: Item, note: string) => (await corrections.createOne(app.store, String(article.id), { note }, staff)).correction
  return {
    ownPublished: await correct(on.ownPublished, `A fix to own story ${n}.`),
    ownDraft: await correct(on.ownDraft, `A fix to own draft ${n}.`),
    otherDraft: await correct(on.otherDraft, `A fix to other draft ${n}.`)
  }
}

function correctionsOf (w: World): WorldCorrections {
  if (w.corrections === null) throw new Error('this world was made without corrections')
  return w.corrections
}

function imagesOf (w: World): WorldImages {
  if (w.images === null) throw new Error('this world was made without images')
  return w.images
}

function dayAfter (day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/**
 * Two authors, each with a draft and a published article; a pending and an approved comment
 * on A's published article and a pending one on B's; a day with a note; a spare token.
 * Made with the services the routes use (fast, and by the same rules).
 */
async function makeWorld (app: FastifyInstance, extras: { images: boolean, corrections: boolean }): Promise<World> {
  const n = ++worlds
  const hook = (await webhooks.createOne(app.store, { url: `http://127.0.0.1:9/matrix-${n}`, events: ['author.*'] }, { allowPrivateTargets: true })).webhook
  const own = (await authors.createOne(app.store, { name: `Ada Owner ${n}`, email: `ada${n}@example.org` }, staff)).author
  const other = (await authors.createOne(app.store, { name: `Bea Other ${n}`, email: `bea${n}@example.org` }, staff)).author
  // Each article is edited once after it is written, so it has a revision 1 (its first body).
  const article = async (input: Parameters<typeof articles.createOne>[2]) => {
    const created = (await articles.createOne(app.store, app.settings, input, staff)).article
    return (await articles.updateOne(app.store, app.settings, String(created.id), { body: `${input.body ?? ''}<p>Edited.</p>` }, staff, undefined)).article
  }
  const ownDraft = await article({ title: `Own draft ${n}`, body: '<p>Not yet.</p>', authorId: own.id, labels: ['Embargoed'] })
  // Labels of this world alone (Council and Transport are every world's), made ahead of use as an editor would.
  const ward = (await labels.createOne(app.store, { name: `Ward ${n}` })).label
  const unpublished = (await labels.createOne(app.store, { name: `Unpublished ${n}` })).label
  const street = (await labels.createOne(app.store, { name: `Street ${n}`, description: 'A street of the ward.', parentId: ward.id })).label
  const aboutPage = (await pages.createOne(app.store, { title: `About ${n}`, status: 'published', body: '<p>About us.</p>' }, staff)).page
  await pages.updateOne(app.store, app.settings, String(aboutPage.id), { body: '<p>About us, edited.</p>' }, undefined, staff)
  const draftPage = (await pages.createOne(app.store, { title: `Staff ${n}`, parentId: aboutPage.id }, staff)).page
  const trashedPage = (await pages.createOne(app.store, { title: `Old notice ${n}`, status: 'published' }, staff)).page
  await pages.removeOne(app.store, app.settings, String(trashedPage.id), undefined, staff)
  const ownPublished = await article({ title: `Own story ${n}`, body: '<p>Out now.</p>', authorId: own.id, status: 'published', publishedAt: ownPublishedAt, labels: ['Council', ward.name] })
  const otherDraft = await article({ title: `Other draft ${n}`, body: '<p>Not yet.</p>', authorId: other.id, labels: [unpublished.name] })
  const otherPublished = await article({ title: `Other story ${n}`, body: '<p>Out now.</p>', authorId: other.id, status: 'published', publishedAt: otherPublishedAt, labels: ['Council', 'Transport'] })
  const sharedDraft = await article({ title: `Shared draft ${n}`, body: '<p>Together.</p>', authorIds: [other.id, own.id] })
  const trashed = async (input: Parameters<typeof articles.createOne>[2]) => {
    const created = await article(input)
    await articles.removeOne(app.store, app.settings, String(created.id), staff, undefined)
    return created
  }
  const ownTrashedDraft = await trashed({ title: `Own deleted draft ${n}`, body: '<p>Second thoughts.</p>', authorId: own.id })
  const ownTrashedPublished = await trashed({ title: `Own deleted story ${n}`, body: '<p>Retracted.</p>', authorId: own.id, status: 'published', publishedAt: ownPublishedAt })
  const comment = async (on: Item, viewer: Principal | null, body: string) =>
    (await comments.createForArticle(app.store, app.settings, String(on.id), { authorName: 'A reader', authorEmail: 'reader@example.net', body }, viewer)).comment
  const pending = await comment(ownPublished, null, 'Waiting for a moderator.')
  const approved = await comment(ownPublished, staff, 'Approved at once.')
  const otherPending = await comment(otherPublished, null, 'Waiting on the other story.')
  const filed = extras.corrections ? await correctionsFor(app, { ownPublished, ownDraft, otherDraft }, n) : null
  const notedDay = dayAfter('2020-01-01', n)
  await dates.createOne(app.store, app.settings, { date: notedDay, note: `Note ${n}` }, staff)
  const spare = await createToken(app.store, { role: 'editor', name: `Spare ${n}` })
  const link = async (article: Item) => {
    const { preview, token } = await previews.createOne(app.store, String(article.id), {}, staff)
    return { id: preview.id, token }
  }
  const links = { draft: await link(ownDraft), published: await link(ownPublished) }
  const images = extras.images ? await imagesFor(app, own, ownDraft, n) : null
  const redirectTo = async (name: string, article: Item) => (await redirects.createOne(app.store, { from: `/matrix-${n}/${name}`, to: `/articles/${article.slug}` })).redirect
  const redirectsMade = { toPublished: await redirectTo('published', ownPublished), toDraft: await redirectTo('draft', ownDraft) }
  while (await fanOut(app.store)) {}
  const deliveries = await webhooks.pageOfDeliveries(app.store, hook.id, {})
  // Told of nothing the later worlds do (the matrix deletes authors only in deleteAuthor's
  // cells), so its deliveries stay these two however many worlds follow.
  await webhooks.updateOne(app.store, hook.id, { events: ['author.deleted'] }, undefined, { allowPrivateTargets: true })
  return {
    n,
    own,
    other,
    ownDraft,
    ownPublished,
    otherDraft,
    otherPublished,
    sharedDraft,
    pending,
    approved,
    otherPending,
    corrections: filed,
    ownTrashedDraft,
    ownTrashedPublished,
    images,
    notedDay,
    labels: { ward: ward.id, wardSlug: ward.slug, unpublished: unpublished.id, unpublishedSlug: unpublished.slug, street: street.id, streetSlug: street.slug },
    pages: { published: { id: aboutPage.id, slug: aboutPage.slug }, draft: { id: draftPage.id, slug: draftPage.slug }, trashed: { id: trashedPage.id, slug: trashedPage.slug } },
    redirects: redirectsMade,
    freeDay: dayAfter('2010-01-01', n),
    spare: { id: spare.token.id, secret: spare.secret },
    links,
    webhook: { id: hook.id, updatedAt: (await webhooks.findOne(app.store, hook.id)).webhook.updatedAt, deliveryIds: deliveries.items.map(({ id }) => id) },
    secrets: {
      own: await tokenFor(app, 'author', own.id),
      other: await tokenFor(app, 'author', other.id),
      editor: await tokenFor(app, 'editor'),
      admin: await tokenFor(app, 'admin')
    }
  }
}

// --- How each target is asked for, and what its answer changes --------------------

interface Cell {
  t: Test
  app: FastifyInstance
  w: World
  caller: Caller
  response: LightMyRequestResponse
  /** The expected status is a success. */
  allowed: boolean
}

interface Target {
  /** Values for the path's {parameters}. */
  params?: (w: World) => Record<string, string | number>
  query?: (w: World) => string
  payload?: (w: World) => Record<string, unknown>
  /** A multipart/form-data body instead of a JSON one. */
  form?: (w: World) => Promise<{ payload: Buffer, headers: Record<string, string> }>
  /**
   * Lists are checked item by item, so they run on an app of their own with one world. Reads
   * share one world among the five callers; writes get a world per cell.
   */
  alone?: true
  check?: (cell: Cell) => Promise<void> | void
}

/**
 * The helper's `request()` for answers that may not be JSON (feeds, sitemaps, the NDJSON
 * export): its document check parses bodies as JSON, so a text body is handed over as text.
 */
async function requestDocument (app: FastifyInstance, t: Test, options: InjectOptions & { method: string, url: string }): Promise<LightMyRequestResponse> {
  const response = await app.inject(options)
  const isJson = /^application\/(?:[\w.-]+\+)?json\b/.test(String(response.headers['content-type'] ?? ''))
  checkAgainstDocument(app, t, options.method, options.url, isJson ? response : Object.assign(Object.create(response) as LightMyRequestResponse, { json: () => response.body }))
  return response
}

async function asAdmin (app: FastifyInstance, t: Test, url: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: bearer(adminSecret) })
}

async function readBack (app: FastifyInstance, t: Test, url: string): Promise<Item> {
  const response = await asAdmin(app, t, url)
  t.equal(response.statusCode, 200, `GET ${url} as admin`)
  return response.json()
}

/** Every webhook, page by page (the shared app holds one per world). */
async function allWebhooks (app: FastifyInstance): Promise<Item[]> {
  const all: Item[] = []
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<typeof webhooks.pageOfWebhooks>> = await webhooks.pageOfWebhooks(app.store, { limit: 100, ...(cursor === null ? {} : { cursor }) })
    all.push(...page.items)
    cursor = page.nextCursor
  } while (cursor !== null)
  return all
}

const ids = (items: Item[]) => items.map((item) => item.id as number).sort((a, b) => a - b)
const sorted = (numbers: number[]) => [...numbers].sort((a, b) => a - b)
/** Callers who moderate / see private fields of A's things. */
const seesOwnPrivate = (caller: Caller) => caller === 'own' || caller === 'editor' || caller === 'admin'

/** Feeds are public: the same published articles for every caller, never a draft or an e-mail. */
function publishedOnly (t: Test, w: World, body: string): void {
  for (const article of [w.ownPublished, w.otherPublished]) t.ok(body.includes(article.title), `${article.title} is in the feed`)
  for (const article of [w.ownDraft, w.otherDraft]) t.notOk(body.includes(article.title), `${article.title} is not`)
  t.notOk(body.includes('@example.org'), 'no author\'s e-mail')
}

function sitemapOfPublished (t: Test, w: World, body: string): void {
  for (const article of [w.ownPublished, w.otherPublished]) t.ok(body.includes(`/articles/${article.slug}<`), `${article.slug} is listed`)
  for (const article of [w.ownDraft, w.otherDraft]) t.notOk(body.includes(`/articles/${article.slug}<`), `${article.slug} is not`)
}

// An article's comment list, flat or threaded, as each caller reads it.
const articleCommentLists: Record<string, Target> = {
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.id }),
      check: ({ t, w, caller, response }) => {
        const list: Item[] = response.json().data
        t.same(ids(list), [w.approved.id], 'only the approved comment')
        t.equal('authorEmail' in list[0]!, seesOwnPrivate(caller), 'the reader\'s email only for moderators of the article')
      }
    },
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      check: ({ t, allowed, response }) => { if (allowed) t.same(response.json().data, []) }
    }
}

const targets: Record<string, Record<string, Target>> = {
  getServerIndex: {
    'the links': { check: ({ t, response }) => { t.equal(response.json().links.api, '/v1') } }
  },
  getApiIndex: {
    'the links': { check: ({ t, response }) => { t.equal(response.json().links.articles, '/v1/articles') } }
  },
  getHealth: {
    'the process': { check: ({ t, response }) => { t.same(response.json(), { status: 'ok' }) } }
  },
  getReadiness: {
    'the database': { check: ({ t, response }) => { t.same(response.json(), { status: 'ok' }) } }
  },
  listAuthors: {
    'all authors': {
      alone: true,
      check: ({ t, w, caller, response }) => {
        const list: Item[] = response.json().data
        t.same(ids(list), sorted([w.own.id, w.other.id]), 'both authors are listed')
        const own = list.find((author) => author.id === w.own.id)!
        const other = list.find((author) => author.id === w.other.id)!
        t.equal('email' in own, seesOwnPrivate(caller), 'A\'s email only for A, editors and admins')
        t.equal('email' in other, caller === 'other' || caller === 'editor' || caller === 'admin', 'B\'s email only for B, editors and admins')
        t.equal(own.articleCount, 1)
      }
    }
  },
  getAuthor: {
    'the own author record': {
      params: (w) => ({ id: w.own.id }),
      check: ({ t, w, caller, response }) => {
        const author = response.json()
        t.equal(author.id, w.own.id)
        t.equal(author.email, seesOwnPrivate(caller) ? w.own.email : undefined, 'the email only for the author, editors and admins')
      }
    }
  },
  createAuthor: {
    'a new author': {
      payload: (w) => ({ name: `New Author ${w.n}`, slug: `new-author-${w.n}` }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) t.equal(response.headers.location, `/v1/authors/${response.json().id}`)
        const found = await asAdmin(app, t, `/v1/authors/new-author-${w.n}`)
        t.equal(found.statusCode, allowed ? 200 : 404, allowed ? 'the author exists' : 'no author was created')
      }
    }
  },
  updateAuthor: {
    'the own author record': {
      params: (w) => ({ id: w.own.id }),
      payload: () => ({ bio: 'Changed by the matrix.' }),
      check: async ({ t, app, w, allowed }) => {
        const author = await readBack(app, t, `/v1/authors/${w.own.id}`)
        t.equal(author.bio, allowed ? 'Changed by the matrix.' : null, allowed ? 'the bio changed' : 'the bio is unchanged')
      }
    }
  },
  deleteAuthor: {
    'the own author record, reassigning its articles': {
      params: (w) => ({ id: w.own.id }),
      query: (w) => `reassignTo=${w.other.id}`,
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/authors/${w.own.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'the author is gone' : 'the author is still there')
        const draft = await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)
        t.equal(draft.authorId, allowed ? w.other.id : w.own.id, allowed ? 'the articles moved to B' : 'the articles stay with A')
      }
    },
    'the own author record, keeping its articles': {
      params: (w) => ({ id: w.own.id }),
      check: async ({ t, app, w }) => {
        t.equal((await asAdmin(app, t, `/v1/authors/${w.own.id}`)).statusCode, 200, 'the author is still there')
      }
    }
  },
  listArticles: {
    'all articles': {
      alone: true,
      check: ({ t, w, caller, response }) => {
        const visible = {
          anonymous: [w.ownPublished.id, w.otherPublished.id],
          own: [w.ownPublished.id, w.otherPublished.id, w.ownDraft.id, w.sharedDraft.id],
          other: [w.ownPublished.id, w.otherPublished.id, w.otherDraft.id, w.sharedDraft.id],
          editor: [w.ownPublished.id, w.otherPublished.id, w.ownDraft.id, w.otherDraft.id, w.sharedDraft.id],
          admin: [w.ownPublished.id, w.otherPublished.id, w.ownDraft.id, w.otherDraft.id, w.sharedDraft.id]
        }[caller]
        t.same(ids(response.json().data), sorted(visible), 'published articles, plus the drafts on the caller\'s byline (co-authored too), plus every draft for editors')
      }
    }
  },
  listArticleRevisions: {
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      check: ({ t, allowed, response }) => { if (allowed) t.match(response.json(), { data: [{ number: 1, version: 1, replacedBy: 'admin' }], meta: { total: 1 } }) }
    },
    'a draft the own author co-authors': {
      params: (w) => ({ id: w.sharedDraft.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { data: [{ number: 1, authorIds: [w.other.id, w.own.id] }], meta: { total: 1 } }) }
    },
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.slug }),
      check: ({ t, allowed, response }) => { if (allowed) t.match(response.json(), { data: [{ number: 1, status: 'published' }], meta: { total: 1 } }) }
    }
  },
  getArticleRevision: {
    'the own draft, revision 1': {
      params: (w) => ({ id: w.ownDraft.id, number: 1 }),
      check: ({ t, allowed, response }) => { if (allowed) t.match(response.json(), { number: 1, body: '<p>Not yet.</p>', labels: ['Embargoed'] }) }
    },
    'a draft the own author co-authors, revision 1': {
      params: (w) => ({ id: w.sharedDraft.id, number: 1 }),
      check: ({ t, allowed, response }) => { if (allowed) t.match(response.json(), { number: 1, body: '<p>Together.</p>' }) }
    },
    'the own published article, revision 1': {
      params: (w) => ({ id: w.ownPublished.id, number: 1 }),
      check: ({ t, allowed, response }) => { if (allowed) t.match(response.json(), { number: 1, body: '<p>Out now.</p>' }) }
    }
  },
  restoreArticleRevision: {
    'the own draft, revision 1': {
      params: (w) => ({ id: w.ownDraft.id, number: 1 }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)
        t.equal(article.body, allowed ? '<p>Not yet.</p>' : '<p>Not yet.</p><p>Edited.</p>')
      }
    },
    'a draft the own author co-authors, revision 1': {
      params: (w) => ({ id: w.sharedDraft.id, number: 1 }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.sharedDraft.id}`)
        t.equal(article.body, allowed ? '<p>Together.</p>' : '<p>Together.</p><p>Edited.</p>')
        t.same(article.authorIds, [w.other.id, w.own.id], 'the byline as it was')
      }
    },
    'the own published article, revision 1': {
      params: (w) => ({ id: w.ownPublished.id, number: 1 }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownPublished.id}`)
        t.equal(article.body, allowed ? '<p>Out now.</p>' : '<p>Out now.</p><p>Edited.</p>')
      }
    }
  },
  createArticlePreview: {
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      payload: () => ({ expiresIn: 600 }),
      check: async ({ t, app, w, allowed, response }) => {
        const live = await previews.list(app.store, String(w.ownDraft.id), staff)
        t.equal(live.total, allowed ? 2 : 1, allowed ? 'the draft has a new link' : 'no link was made')
        if (allowed) t.equal((await app.inject({ method: 'GET', url: `/v1/articles/${w.ownDraft.id}`, headers: bearer(response.json().token) })).statusCode, 200, 'its token reads the draft')
      }
    },
    'a draft the own author co-authors': {
      params: (w) => ({ id: w.sharedDraft.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await previews.list(app.store, String(w.sharedDraft.id), staff)).total, allowed ? 1 : 0, allowed ? 'the draft has a link' : 'no link was made')
      }
    },
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.slug }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await previews.list(app.store, String(w.ownPublished.id), staff)).total, allowed ? 2 : 1, allowed ? 'the article has a new link' : 'no link was made')
      }
    }
  },
  listArticlePreviews: {
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      check: ({ t, w, allowed, response }) => {
        if (!allowed) return
        t.same(ids(response.json().data), [w.links.draft.id], 'the draft\'s link')
        t.notOk(response.body.includes('dlp_'), 'without its token')
      }
    },
    'a draft the own author co-authors': {
      params: (w) => ({ id: w.sharedDraft.id }),
      check: ({ t, allowed, response }) => { if (allowed) t.same(response.json().data, [], 'it has no links') }
    },
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.slug }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.same(ids(response.json().data), [w.links.published.id], 'the article\'s link') }
    }
  },
  getArticlePreview: {
    'the own draft\'s link': {
      params: (w) => ({ id: w.ownDraft.id, previewId: w.links.draft.id }),
      check: ({ t, w, allowed, response }) => {
        if (!allowed) return
        t.match(response.json(), { id: w.links.draft.id, articleId: w.ownDraft.id, createdBy: 'admin' })
        t.notOk(response.body.includes('dlp_'), 'without its token')
      }
    }
  },
  revokeArticlePreview: {
    'the own draft\'s link': {
      params: (w) => ({ id: w.ownDraft.id, previewId: w.links.draft.id }),
      check: async ({ t, app, w, allowed }) => {
        const use = await app.inject({ method: 'GET', url: `/v1/articles/${w.ownDraft.id}`, headers: bearer(w.links.draft.token) })
        t.equal(use.statusCode, allowed ? 401 : 200, allowed ? 'the link stopped working' : 'the link still works')
      }
    },
    'the own published article\'s link': {
      params: (w) => ({ id: w.ownPublished.id, previewId: w.links.published.id }),
      check: async ({ t, app, w, allowed }) => {
        const use = await app.inject({ method: 'GET', url: `/v1/articles/${w.ownPublished.id}`, headers: bearer(w.links.published.token) })
        t.equal(use.statusCode, allowed ? 401 : 200, allowed ? 'the link stopped working' : 'the link still works')
      }
    }
  },
  getArticle: {
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: w.ownDraft.id, status: 'draft' }) }
    },
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.slug }),
      check: ({ t, w, response }) => { t.match(response.json(), { id: w.ownPublished.id, status: 'published' }) }
    },
    'the own published article with author and comments': {
      params: (w) => ({ id: w.ownPublished.id }),
      query: () => 'include=author,comments',
      check: ({ t, w, caller, response }) => {
        const article = response.json()
        t.equal(article.author.id, w.own.id)
        t.equal('email' in article.author, seesOwnPrivate(caller), 'the author\'s email only for the author, editors and admins')
        t.same(ids(article.comments), [w.approved.id], 'only the approved comment')
        t.equal('authorEmail' in article.comments[0], seesOwnPrivate(caller), 'the reader\'s email only for moderators of the article')
      }
    },
    'a draft the own author co-authors': {
      params: (w) => ({ id: w.sharedDraft.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: w.sharedDraft.id, authorIds: [w.other.id, w.own.id] }) }
    }
  },
  listRelatedArticles: {
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      check: ({ t, w, allowed, response }) => {
        if (allowed) t.notOk(ids(response.json().data).includes(w.ownDraft.id), 'never the article itself')
      }
    },
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.slug }),
      check: ({ t, w, response }) => {
        const related = ids(response.json().data)
        t.notOk(related.includes(w.ownPublished.id), 'never the article itself')
        t.notOk(related.includes(w.ownDraft.id) || related.includes(w.otherDraft.id), 'never a draft, whoever asks')
      }
    }
  },
  createArticle: {
    'a draft for the own author': {
      payload: (w) => ({ title: `Fresh draft ${w.n}`, body: '<p>New.</p>', authorId: w.own.id }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) t.match(response.json(), { authorId: w.own.id, status: 'draft' })
        const list = await readBack(app, t, `/v1/articles?author=${w.own.id}`)
        t.equal(list.meta.total, allowed ? 4 : 3, allowed ? 'A has a new article' : 'no article was created')
      }
    },
    'a published article for the own author': {
      payload: (w) => ({ title: `Fresh story ${w.n}`, body: '<p>New.</p>', authorId: w.own.id, status: 'published' }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) t.match(response.json(), { authorId: w.own.id, status: 'published' })
        const list = await readBack(app, t, `/v1/articles?author=${w.own.id}&status=published`)
        t.equal(list.meta.total, allowed ? 2 : 1, allowed ? 'A has a new published article' : 'nothing was published')
      }
    }
  },
  updateArticle: {
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      payload: () => ({ title: 'Retitled by the matrix' }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)
        t.equal(article.title, allowed ? 'Retitled by the matrix' : w.ownDraft.title)
      }
    },
    'the own draft, publishing it': {
      params: (w) => ({ id: w.ownDraft.id }),
      payload: () => ({ status: 'published' }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)
        t.equal(article.status, allowed ? 'published' : 'draft')
      }
    },
    'the own draft, adding the other author to its byline': {
      params: (w) => ({ id: w.ownDraft.id }),
      payload: (w) => ({ authorIds: [w.own.id, w.other.id] }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)
        t.same(article.authorIds, allowed ? [w.own.id, w.other.id] : [w.own.id])
      }
    },
    'a draft the own author co-authors': {
      params: (w) => ({ id: w.sharedDraft.id }),
      payload: () => ({ title: 'Retitled by a co-author' }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.sharedDraft.id}`)
        t.equal(article.title, allowed ? 'Retitled by a co-author' : w.sharedDraft.title)
      }
    },
    'a draft the own author co-authors, taking its lead': {
      params: (w) => ({ id: w.sharedDraft.id }),
      payload: (w) => ({ authorIds: [w.own.id, w.other.id] }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.sharedDraft.id}`)
        t.same(article.authorIds, allowed ? [w.own.id, w.other.id] : [w.other.id, w.own.id])
      }
    },
    'the own draft, handing it to the other author': {
      params: (w) => ({ id: w.ownDraft.id }),
      payload: (w) => ({ authorId: w.other.id }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)
        t.equal(article.authorId, allowed ? w.other.id : w.own.id)
      }
    },
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.id }),
      payload: () => ({ title: 'Retitled by the matrix' }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownPublished.id}`)
        t.equal(article.title, allowed ? 'Retitled by the matrix' : w.ownPublished.title)
      }
    }
  },
  deleteArticle: {
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/articles/${w.ownDraft.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'the draft is gone' : 'the draft is still there')
      }
    },
    'a draft the own author co-authors': {
      params: (w) => ({ id: w.sharedDraft.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/articles/${w.sharedDraft.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'the draft is gone' : 'the draft is still there')
      }
    },
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/articles/${w.ownPublished.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'the article is gone' : 'the article is still there')
      }
    }
  },
  listArticleCorrections: {
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.id }),
      check: ({ t, w, response }) => { t.same(ids(response.json().data), [correctionsOf(w).ownPublished.id], 'its correction') }
    },
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.slug }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.same(ids(response.json().data), [correctionsOf(w).ownDraft.id], 'its correction') }
    }
  },
  getArticleCorrection: {
    'the own published article\'s correction': {
      params: (w) => ({ id: w.ownPublished.id, correctionId: correctionsOf(w).ownPublished.id }),
      check: ({ t, w, response }) => { t.match(response.json(), { id: correctionsOf(w).ownPublished.id, note: correctionsOf(w).ownPublished.note }) }
    },
    'the own draft\'s correction': {
      params: (w) => ({ id: w.ownDraft.id, correctionId: correctionsOf(w).ownDraft.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: correctionsOf(w).ownDraft.id, articleId: w.ownDraft.id }) }
    }
  },
  createArticleCorrection: {
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.id }),
      payload: () => ({ note: 'Filed by the matrix.' }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownPublished.id}`)
        t.equal(article.corrections.length, allowed ? 2 : 1, allowed ? 'the article carries it' : 'nothing was filed')
      }
    },
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      payload: () => ({ note: 'Filed by the matrix.' }),
      check: async ({ t, app, w, allowed }) => {
        const article = await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)
        t.equal(article.corrections.length, allowed ? 2 : 1, allowed ? 'the draft carries it' : 'nothing was filed')
      }
    }
  },
  updateArticleCorrection: {
    'the own published article\'s correction': {
      params: (w) => ({ id: w.ownPublished.id, correctionId: correctionsOf(w).ownPublished.id }),
      payload: () => ({ note: 'Fixed by the matrix.' }),
      check: async ({ t, app, w, allowed }) => {
        const correction = await readBack(app, t, `/v1/articles/${w.ownPublished.id}/corrections/${correctionsOf(w).ownPublished.id}`)
        t.equal(correction.note, allowed ? 'Fixed by the matrix.' : correctionsOf(w).ownPublished.note, allowed ? 'changed' : 'unchanged')
      }
    },
    'the own draft\'s correction': {
      params: (w) => ({ id: w.ownDraft.id, correctionId: correctionsOf(w).ownDraft.id }),
      payload: () => ({ note: 'Fixed by the matrix.' }),
      check: async ({ t, app, w, allowed }) => {
        const correction = await readBack(app, t, `/v1/articles/${w.ownDraft.id}/corrections/${correctionsOf(w).ownDraft.id}`)
        t.equal(correction.note, allowed ? 'Fixed by the matrix.' : correctionsOf(w).ownDraft.note, allowed ? 'changed' : 'unchanged')
      }
    }
  },
  deleteArticleCorrection: {
    'the own published article\'s correction': {
      params: (w) => ({ id: w.ownPublished.id, correctionId: correctionsOf(w).ownPublished.id }),
      check: async ({ t, app, w, allowed }) => {
        const found = await asAdmin(app, t, `/v1/articles/${w.ownPublished.id}/corrections/${correctionsOf(w).ownPublished.id}`)
        t.equal(found.statusCode, allowed ? 404 : 200, allowed ? 'deleted' : 'still there')
      }
    },
    'the own draft\'s correction': {
      params: (w) => ({ id: w.ownDraft.id, correctionId: correctionsOf(w).ownDraft.id }),
      check: async ({ t, app, w, allowed }) => {
        const found = await asAdmin(app, t, `/v1/articles/${w.ownDraft.id}/corrections/${correctionsOf(w).ownDraft.id}`)
        t.equal(found.statusCode, allowed ? 404 : 200, allowed ? 'deleted' : 'still there')
      }
    }
  },
  listCorrections: {
    'every correction': {
      alone: true,
      check: ({ t, w, caller, response }) => {
        const seen = {
          anonymous: [correctionsOf(w).ownPublished],
          own: [correctionsOf(w).ownPublished, correctionsOf(w).ownDraft],
          other: [correctionsOf(w).ownPublished, correctionsOf(w).otherDraft],
          editor: [correctionsOf(w).ownPublished, correctionsOf(w).ownDraft, correctionsOf(w).otherDraft],
          admin: [correctionsOf(w).ownPublished, correctionsOf(w).ownDraft, correctionsOf(w).otherDraft]
        }[caller]
        t.same(ids(response.json().data), ids(seen), 'published articles\' corrections, and those of the drafts the caller may see')
      }
    }
  },
  listArticleComments: articleCommentLists,
  // The same comments, as threads: one approved top-level comment, nothing on a draft.
  listArticleCommentThread: articleCommentLists,
  createComment: {
    'the own published article': {
      params: (w) => ({ id: w.ownPublished.id }),
      payload: () => ({ authorName: 'Matrix reader', authorEmail: 'matrix@example.net', body: 'Well said.' }),
      check: async ({ t, app, caller, response }) => {
        const comment = response.json()
        const approvedAtOnce = seesOwnPrivate(caller)
        t.equal(comment.status, approvedAtOnce ? 'approved' : 'pending', approvedAtOnce ? 'staff comments are approved at once' : 'readers\' comments wait')
        t.equal('authorEmail' in comment, approvedAtOnce, 'the email is shown to moderators only')
        t.equal(response.headers.location, `/v1/comments/${comment.id}`)
        const stored = await readBack(app, t, `/v1/comments/${comment.id}`)
        t.equal(stored.status, comment.status, 'stored with that status')
      }
    },
    'the own draft': {
      params: (w) => ({ id: w.ownDraft.id }),
      payload: () => ({ authorName: 'Matrix reader', body: 'Early bird.' }),
      check: async ({ t, app, w }) => {
        const list = await readBack(app, t, `/v1/comments?article=${w.ownDraft.id}`)
        t.equal(list.meta.total, 0, 'no comment was stored')
      }
    }
  },
  listComments: {
    'the moderation queue': {
      alone: true,
      check: ({ t, w, caller, allowed, response }) => {
        if (!allowed) return
        const visible = {
          anonymous: [],
          own: [w.pending.id, w.approved.id],
          other: [w.otherPending.id],
          editor: [w.pending.id, w.approved.id, w.otherPending.id],
          admin: [w.pending.id, w.approved.id, w.otherPending.id]
        }[caller]
        t.same(ids(response.json().data), sorted(visible), 'an author token sees comments on its own articles only')
      }
    },
    'the moderation queue of the other\'s article': {
      query: (w) => `article=${w.otherPublished.id}`,
      check: ({ t, w, caller, allowed, response }) => {
        if (!allowed) return
        t.same(ids(response.json().data), caller === 'own' ? [] : [w.otherPending.id], 'an author token sees nothing of another author\'s article')
      }
    }
  },
  getComment: {
    'a pending comment on the own article': {
      params: (w) => ({ id: w.pending.id }),
      check: ({ t, w, allowed, response }) => {
        if (allowed) t.match(response.json(), { id: w.pending.id, status: 'pending', authorEmail: 'reader@example.net' })
      }
    }
  },
  updateComment: {
    'a pending comment on the own article, approving': {
      params: (w) => ({ id: w.pending.id }),
      payload: () => ({ status: 'approved' }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await readBack(app, t, `/v1/comments/${w.pending.id}`)).status, allowed ? 'approved' : 'pending')
        t.equal((await readBack(app, t, `/v1/articles/${w.ownPublished.id}`)).commentCount, allowed ? 2 : 1, 'commentCount follows')
      }
    },
    'an approved comment on the own article, editing its text': {
      params: (w) => ({ id: w.approved.id }),
      payload: () => ({ body: 'Edited by a moderator.' }),
      check: async ({ t, app, w, allowed }) => {
        const comment = await readBack(app, t, `/v1/comments/${w.approved.id}`)
        t.match(comment.body, allowed ? /Edited by a moderator/ : /Approved at once/)
      }
    }
  },
  deleteComment: {
    'a pending comment on the own article': {
      params: (w) => ({ id: w.pending.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/comments/${w.pending.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'the comment is gone' : 'the comment is still there')
      }
    }
  },
  listDates: {
    'all days': {
      alone: true,
      check: ({ t, w, response }) => {
        t.same(response.json().data.map((day: Item) => [day.date, day.articleCount, day.note]), [
          ['2025-04-12', 1, null],
          ['2025-03-10', 1, null],
          [w.notedDay, 0, `Note ${w.n}`]
        ], 'the days of published articles and the noted day, newest first')
      }
    }
  },
  getDate: {
    'a day with a note': {
      params: (w) => ({ date: w.notedDay }),
      check: ({ t, w, response }) => { t.match(response.json(), { date: w.notedDay, note: `Note ${w.n}`, articleCount: 0 }) }
    }
  },
  createDate: {
    'a day that does not exist yet': {
      payload: (w) => ({ date: w.freeDay, note: 'Planned ahead.' }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) t.equal(response.headers.location, `/v1/dates/${w.freeDay}`)
        t.equal((await asAdmin(app, t, `/v1/dates/${w.freeDay}`)).statusCode, allowed ? 200 : 404, allowed ? 'the day exists' : 'no day was created')
      }
    }
  },
  updateDate: {
    'a day with a note': {
      params: (w) => ({ date: w.notedDay }),
      payload: () => ({ note: 'Changed by the matrix.' }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await readBack(app, t, `/v1/dates/${w.notedDay}`)).note, allowed ? 'Changed by the matrix.' : `Note ${w.n}`)
      }
    }
  },
  deleteDate: {
    'a day with a note and no articles': {
      params: (w) => ({ date: w.notedDay }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/dates/${w.notedDay}`)).statusCode, allowed ? 404 : 200, allowed ? 'the day is gone' : 'the day is still there')
      }
    }
  },
  getArchive: {
    'the archive': {
      alone: true,
      check: ({ t, response }) => {
        t.same(response.json(), { years: [{ year: 2025, count: 2, months: [{ month: 4, count: 1 }, { month: 3, count: 1 }] }] }, 'published articles only, whoever asks')
      }
    }
  },
  suggestTitles: {
    'titles completing a word': {
      query: () => 'q=dr',
      check: ({ t, w, response }) => {
        const suggested = ids(response.json().data)
        t.notOk(suggested.includes(w.ownDraft.id) || suggested.includes(w.otherDraft.id), 'drafts are never suggested, whoever asks')
      }
    }
  },
  streamChanges: {
    'the own draft': {
      query: (w) => `article=${w.ownDraft.id}`
    }
  },
  listChanges: {
    'the change log': {
      alone: true,
      query: () => 'resource=article&limit=1000',
      check: ({ t, w, caller, response }) => {
        const seen = new Set(response.json().data.map((change: Item) => Number(change.id)))
        const drafts = { own: w.ownDraft.id, other: w.otherDraft.id }
        t.ok(seen.has(w.ownPublished.id) && seen.has(w.otherPublished.id), 'every caller follows the published articles')
        t.equal(seen.has(drafts.own), caller === 'own' || caller === 'editor' || caller === 'admin', 'the own draft\'s changes: to its author and editors')
        t.equal(seen.has(drafts.other), caller === 'other' || caller === 'editor' || caller === 'admin', 'another\'s draft\'s changes: to its author and editors')
      }
    }
  },
  listLabels: {
    'all labels': {
      alone: true,
      check: ({ t, w, caller, response }) => {
        const seesAll = caller === 'editor' || caller === 'admin'
        t.same(response.json().data.map((label: Item) => [label.name, label.articleCount]), [
          ['Council', 2],
          ...(seesAll ? [['Embargoed', 0], [`Street ${w.n}`, 0]] : []),
          ['Transport', 1],
          ...(seesAll ? [[`Unpublished ${w.n}`, 0]] : []),
          [`Ward ${w.n}`, 1]
        ], seesAll ? 'editors see every label' : 'a label only a draft carries is hidden')
      }
    },
    'the labels under a label': {
      query: (w) => `parent=${w.labels.wardSlug}`,
      check: ({ t, w, caller, response }) => {
        const seesAll = caller === 'editor' || caller === 'admin'
        t.same(response.json().data.map((label: Item) => label.id), seesAll ? [w.labels.street] : [], seesAll ? 'editors see the unused child' : 'an unused child is hidden')
      }
    }
  },
  getLabel: {
    'a label a published article carries': {
      params: (w) => ({ id: w.labels.ward }),
      check: ({ t, w, caller, response }) => {
        const street = { id: w.labels.street, slug: w.labels.streetSlug, name: `Street ${w.n}`, articleCount: 0 }
        t.same(response.json(), {
          id: w.labels.ward, slug: w.labels.wardSlug, name: `Ward ${w.n}`, description: '', parentId: null, articleCount: 1, parent: null,
          children: caller === 'editor' || caller === 'admin' ? [street] : []
        })
      }
    },
    'a label a published article carries, by its slug': {
      params: (w) => ({ id: w.labels.wardSlug }),
      check: ({ t, w, response }) => { t.match(response.json(), { id: w.labels.ward, slug: w.labels.wardSlug, articleCount: 1 }) }
    },
    'a label only a draft carries': {
      params: (w) => ({ id: w.labels.unpublished }),
      check: ({ t, w, allowed, response }) => {
        if (allowed) t.same(response.json(), { id: w.labels.unpublished, slug: w.labels.unpublishedSlug, name: `Unpublished ${w.n}`, description: '', parentId: null, articleCount: 0, parent: null, children: [] })
      }
    },
    'a label only a draft carries, by its slug': {
      params: (w) => ({ id: w.labels.unpublishedSlug }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: w.labels.unpublished, articleCount: 0 }) }
    }
  },
  createLabel: {
    'a new label': {
      payload: (w) => ({ name: `Planned ${w.n}` }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) {
          t.same(await readBack(app, t, String(response.headers.location)), { ...response.json(), parent: null, children: [] }, 'the label exists')
          return
        }
        // Taken, the name would be a 409.
        const again = await request(app, t, { method: 'POST', url: '/v1/labels', headers: bearer(adminSecret), payload: { name: `Planned ${w.n}` } })
        t.equal(again.statusCode, 201, 'no label was created: the name is still free')
      }
    }
  },
  updateLabel: {
    'a label a published article carries': {
      params: (w) => ({ id: w.labels.ward }),
      payload: (w) => ({ name: `Ward ${w.n} (north)` }),
      check: async ({ t, app, w, allowed }) => {
        t.same((await readBack(app, t, `/v1/articles/${w.ownPublished.id}`)).labels, ['Council', allowed ? `Ward ${w.n} (north)` : `Ward ${w.n}`])
      }
    },
    'the slug, description and parent of one under it, by slug': {
      params: (w) => ({ id: w.labels.streetSlug }),
      payload: (w) => ({ slug: `high-street-${w.n}`, description: 'Shops.', parentId: null }),
      check: async ({ t, app, w, allowed }) => {
        const street = await readBack(app, t, `/v1/labels/${w.labels.street}`)
        t.same([street.slug, street.description, street.parentId], allowed ? [`high-street-${w.n}`, 'Shops.', null] : [w.labels.streetSlug, 'A street of the ward.', w.labels.ward])
      }
    }
  },
  deleteLabel: {
    'a label a published article carries': {
      params: (w) => ({ id: w.labels.ward }),
      check: async ({ t, app, w, allowed }) => {
        t.same((await readBack(app, t, `/v1/articles/${w.ownPublished.id}`)).labels, allowed ? ['Council'] : ['Council', `Ward ${w.n}`])
        t.equal((await readBack(app, t, `/v1/labels/${w.labels.street}`)).parentId, allowed ? null : w.labels.ward, 'the label under it moves up with it gone')
      }
    }
  },
  listPages: {
    'the pages under a published page': {
      query: (w) => `parent=${w.pages.published.slug}`,
      check: ({ t, w, caller, response }) => {
        const seesDrafts = caller === 'editor' || caller === 'admin'
        t.same(response.json().data.map((page: Item) => page.id), seesDrafts ? [w.pages.draft.id] : [], seesDrafts ? 'editors see the draft under it' : 'a draft is hidden')
      }
    }
  },
  getPage: {
    'a published page': {
      params: (w) => ({ id: w.pages.published.id }),
      check: ({ t, w, caller, response }) => {
        const seesDrafts = caller === 'editor' || caller === 'admin'
        t.match(response.json(), { id: w.pages.published.id, status: 'published', parent: null })
        t.same(response.json().children.map((page: Item) => page.id), seesDrafts ? [w.pages.draft.id] : [])
      }
    },
    'a draft page, by its slug': {
      params: (w) => ({ id: w.pages.draft.slug }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: w.pages.draft.id, status: 'draft', parentId: w.pages.published.id }) }
    }
  },
  createPage: {
    'a new page': {
      payload: (w) => ({ title: `Contact ${w.n}`, slug: `contact-${w.n}` }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) {
          t.match(await readBack(app, t, String(response.headers.location)), { slug: `contact-${w.n}` }, 'the page exists')
          return
        }
        t.equal((await asAdmin(app, t, `/v1/pages/contact-${w.n}`)).statusCode, 404, 'no page was created')
      }
    }
  },
  updatePage: {
    'a published page': {
      params: (w) => ({ id: w.pages.published.id }),
      payload: () => ({ title: 'About the newsroom', position: 3 }),
      check: async ({ t, app, w, allowed }) => {
        const page = await readBack(app, t, `/v1/pages/${w.pages.published.id}`)
        t.same([page.title, page.position], allowed ? ['About the newsroom', 3] : [`About ${w.n}`, 0])
      }
    }
  },
  deletePage: {
    'a published page': {
      params: (w) => ({ id: w.pages.published.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/pages/${w.pages.published.id}`)).statusCode, allowed ? 404 : 200)
        t.equal((await asAdmin(app, t, `/v1/trash/pages/${w.pages.published.id}`)).statusCode, allowed ? 200 : 404, allowed ? 'in the trash' : 'not in the trash')
        t.equal((await readBack(app, t, `/v1/pages/${w.pages.draft.id}`)).parentId, allowed ? null : w.pages.published.id, 'the page under it moves up with it gone')
      }
    }
  },
  listPageRevisions: {
    'a published page edited once': {
      params: (w) => ({ id: w.pages.published.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { data: [{ number: 1, version: 1, title: `About ${w.n}`, replacedBy: 'admin' }], meta: { total: 1 } }) }
    }
  },
  getPageRevision: {
    'a published page, revision 1': {
      params: (w) => ({ id: w.pages.published.slug, number: 1 }),
      check: ({ t, allowed, response }) => { if (allowed) t.match(response.json(), { number: 1, body: '<p>About us.</p>', parentId: null }) }
    }
  },
  restorePageRevision: {
    'a published page, revision 1': {
      params: (w) => ({ id: w.pages.published.id, number: 1 }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await readBack(app, t, `/v1/pages/${w.pages.published.id}`)).body, allowed ? '<p>About us.</p>' : '<p>About us, edited.</p>')
      }
    }
  },
  runBatch: {
    'a draft for the own author': {
      payload: (w) => ({ operations: [{ method: 'POST', path: '/v1/articles', body: { title: `Batched draft ${w.n}`, authorId: w.own.id } }] }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) t.match(response.json().results, [{ status: 201, body: { authorId: w.own.id, status: 'draft' } }])
        if (response.statusCode === 422) t.match(response.json(), { failedOperation: 0, results: [{ status: 403 }] }, 'another author\'s token may not write as A')
        const list = await readBack(app, t, `/v1/articles?author=${w.own.id}`)
        t.equal(list.meta.total, allowed ? 4 : 3, allowed ? 'A has a new article' : 'no article was created')
      }
    },
    'a note for a new day, then a draft for the own author': {
      payload: (w) => ({
        operations: [
          { method: 'POST', path: '/v1/dates', body: { date: w.freeDay, note: 'Batched.' } },
          { method: 'POST', path: '/v1/articles', body: { title: `Batched draft ${w.n}`, authorId: w.own.id } }
        ]
      }),
      check: async ({ t, app, w, allowed, response }) => {
        if (response.statusCode === 422) t.match(response.json(), { failedOperation: 0, results: [{ status: 403 }] }, 'an author token may not create a day')
        t.equal((await asAdmin(app, t, `/v1/dates/${w.freeDay}`)).statusCode, allowed ? 200 : 404, allowed ? 'the day exists' : 'no day was created')
        const list = await readBack(app, t, `/v1/articles?author=${w.own.id}`)
        t.equal(list.meta.total, allowed ? 4 : 3, allowed ? 'A has a new article' : 'no article was created')
      }
    }
  },
  listTokens: {
    'all tokens': {
      alone: true,
      check: ({ t, w, allowed, response }) => {
        if (!allowed) return
        const list: Item[] = response.json().data
        t.equal(response.json().meta.total, 5, 'the spare token and the four callers\' tokens')
        t.ok(list.some((token) => token.id === w.spare.id), 'the spare token is listed')
        t.notOk(list.some((token) => 'secret' in token), 'without secrets')
      }
    }
  },
  createToken: {
    'a new editor token': {
      payload: (w) => ({ role: 'editor', name: `Made by the matrix ${w.n}` }),
      check: async ({ t, app, w, allowed }) => {
        // Read back with the service: the shared app holds more tokens than one page.
        const made = (await listTokens(app.store)).filter((token) => token.name === `Made by the matrix ${w.n}`)
        t.equal(made.length, allowed ? 1 : 0, allowed ? 'the token exists' : 'no token was created')
      }
    }
  },
  atomFeed: {
    'the latest published articles': { alone: true, check: ({ t, w, response }) => { publishedOnly(t, w, response.body) } }
  },
  correctionsAtomFeed: {
    'the latest corrections of published articles': {
      alone: true,
      check: ({ t, w, response }) => {
        t.ok(response.body.includes(correctionsOf(w).ownPublished.note), 'the published article\'s correction')
        t.notOk(response.body.includes(correctionsOf(w).ownDraft.note) || response.body.includes(correctionsOf(w).otherDraft.note), 'no draft\'s')
      }
    }
  },
  rssFeed: {
    'the latest published articles': { alone: true, check: ({ t, w, response }) => { publishedOnly(t, w, response.body) } }
  },
  jsonFeed: {
    'the latest published articles': {
      alone: true,
      check: ({ t, w, response }) => {
        t.same(response.json().items.map((item: Item) => item.title), [w.otherPublished.title, w.ownPublished.title], 'the published articles, newest first, whoever asks')
        publishedOnly(t, w, response.body)
      }
    }
  },
  sitemap: {
    'the front end\'s pages': { alone: true, check: ({ t, w, response }) => { sitemapOfPublished(t, w, response.body) } }
  },
  sitemapPage: {
    'the first page': { alone: true, params: () => ({ page: 1 }), check: ({ t, w, response }) => { sitemapOfPublished(t, w, response.body) } }
  },
  // The import takes the raw export file. The matrix sends JSON bodies, so it asks with a
  // Blogger API v3 post (application/json), one of the formats POST /v1/import reads.
  importFile: {
    'a Blogger API post (JSON)': {
      payload: (w) => ({
        kind: 'blogger#post',
        id: `90000000000000000${w.n}`,
        blog: { id: '4242' },
        title: `Imported by the matrix ${w.n}`,
        content: '<p>From the old blog.</p>',
        published: '2024-01-02T03:04:05Z',
        url: `https://old-blog.blogspot.com/2024/01/imported-by-the-matrix-${w.n}.html`,
        status: 'LIVE'
      }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) t.match(response.json(), { format: 'blogger-api', dryRun: false, counts: { articles: { created: 1 } } })
        const found = await asAdmin(app, t, `/v1/articles/imported-by-the-matrix-${w.n}`)
        t.equal(found.statusCode, allowed ? 200 : 404, allowed ? 'the article was imported' : 'nothing was imported')
      }
    }
  },
  listTrash: {
    'the trash': {
      alone: true,
      check: ({ t, w, caller, allowed, response }) => {
        if (!allowed) return
        const listed = ids(response.json().data)
        const own = sorted([w.ownTrashedDraft.id, w.ownTrashedPublished.id])
        t.same(listed, caller === 'other' ? [] : own, caller === 'other' ? 'another author sees none of A\'s' : 'A\'s deleted articles')
      }
    }
  },
  emptyTrash: {
    'everything in it': {
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/trash/${w.ownTrashedDraft.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'purged' : 'still in the trash')
        t.equal((await asAdmin(app, t, `/v1/trash/pages/${w.pages.trashed.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'pages too' : 'a page too')
      }
    }
  },
  listTrashedPages: {
    'the trash of pages': {
      alone: true,
      check: ({ t, w, allowed, response }) => { if (allowed) t.same(ids(response.json().data), [w.pages.trashed.id], 'the deleted page') }
    }
  },
  getTrashedPage: {
    'a trashed page, by its slug': {
      params: (w) => ({ id: w.pages.trashed.slug }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: w.pages.trashed.id, title: `Old notice ${w.n}`, status: 'published', trashedBy: 'admin' }) }
    }
  },
  restorePage: {
    'a trashed page': {
      params: (w) => ({ id: w.pages.trashed.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/pages/${w.pages.trashed.id}`)).statusCode, allowed ? 200 : 404, allowed ? 'back' : 'still gone')
      }
    }
  },
  purgePage: {
    'a trashed page': {
      params: (w) => ({ id: w.pages.trashed.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/trash/pages/${w.pages.trashed.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'purged' : 'still in the trash')
      }
    }
  },
  getTrashedArticle: {
    'the own trashed draft': {
      params: (w) => ({ id: w.ownTrashedDraft.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: w.ownTrashedDraft.id, body: '<p>Second thoughts.</p><p>Edited.</p>', trashedBy: 'admin' }) }
    },
    'the own trashed published article': {
      params: (w) => ({ id: w.ownTrashedPublished.slug }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: w.ownTrashedPublished.id, status: 'published' }) }
    }
  },
  restoreArticle: {
    'the own trashed draft': {
      params: (w) => ({ id: w.ownTrashedDraft.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/articles/${w.ownTrashedDraft.id}`)).statusCode, allowed ? 200 : 404, allowed ? 'back' : 'still gone')
      }
    },
    'the own trashed published article': {
      params: (w) => ({ id: w.ownTrashedPublished.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/articles/${w.ownTrashedPublished.id}`)).statusCode, allowed ? 200 : 404, allowed ? 'back' : 'still gone')
      }
    }
  },
  purgeArticle: {
    'the own trashed draft': {
      params: (w) => ({ id: w.ownTrashedDraft.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/trash/${w.ownTrashedDraft.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'purged' : 'still in the trash')
      }
    },
    'the own trashed published article': {
      params: (w) => ({ id: w.ownTrashedPublished.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/trash/${w.ownTrashedPublished.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'purged' : 'still in the trash')
      }
    }
  },
  exportAll: {
    'everything, e-mails included': {
      check: ({ t, w, allowed, response }) => {
        if (!allowed) {
          t.notOk(response.body.includes(w.own.email), 'no e-mail in the refusal')
          return
        }
        t.match(response.body.split('\n')[0], /^\{"type":"header","format":"dateline"/, 'NDJSON, header first')
        t.ok(response.body.includes(`"email":"${w.own.email}"`), 'authors with their e-mails')
        t.ok(response.body.includes(`"title":"${w.ownDraft.title}"`), 'drafts included')
      }
    }
  },
  getToken: {
    'the spare token': {
      params: (w) => ({ id: w.spare.id }),
      check: ({ t, w, allowed, response }) => {
        if (!allowed) return
        t.equal(response.json().id, w.spare.id, 'the token asked for')
        t.notOk(response.body.includes(w.spare.secret), 'without its secret')
      }
    }
  },
  revokeToken: {
    'a spare token': {
      params: (w) => ({ id: w.spare.id }),
      check: async ({ t, app, w, allowed }) => {
        const use = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(w.spare.secret) })
        t.equal(use.statusCode, allowed ? 401 : 200, allowed ? 'the spare token stopped working' : 'the spare token still works')
      }
    }
  },
  listRedirects: {
    'the path of a redirect to a published article': {
      query: (w) => `path=${encodeURIComponent(w.redirects.toPublished.from)}`,
      check: ({ t, w, response }) => { t.same(response.json(), { path: w.redirects.toPublished.from, location: `/articles/${w.ownPublished.slug}`, status: 301, redirectId: w.redirects.toPublished.id }) }
    },
    'the path of a redirect to the own draft': {
      query: (w) => `path=${encodeURIComponent(w.redirects.toDraft.from)}`,
      check: ({ t, w, allowed, response }) => {
        if (allowed) t.equal(response.json().location, `/articles/${w.ownDraft.slug}`)
        else t.notOk(response.body.includes(w.ownDraft.slug), 'no word of where the draft is')
      }
    },
    'the editors\' redirects': {
      alone: true,
      check: ({ t, w, allowed, response }) => {
        if (allowed) t.same(response.json().data, [w.redirects.toPublished, w.redirects.toDraft], 'the world\'s two')
      }
    }
  },
  createRedirect: {
    'a new redirect': {
      payload: (w) => ({ from: `/matrix-${w.n}/new`, to: `/articles/${w.otherPublished.slug}` }),
      check: async ({ t, app, w, allowed }) => {
        const lookup = await request(app, t, { method: 'GET', url: `/v1/redirects?path=/matrix-${w.n}/new` })
        t.equal(lookup.statusCode, allowed ? 200 : 404, allowed ? 'the path redirects' : 'no redirect was made')
      }
    }
  },
  getRedirect: {
    'the world\'s redirect': {
      params: (w) => ({ id: w.redirects.toPublished.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.same(response.json(), w.redirects.toPublished) }
    }
  },
  updateRedirect: {
    'the world\'s redirect': {
      params: (w) => ({ id: w.redirects.toPublished.id }),
      payload: () => ({ status: 302 }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await redirects.findOne(app.store, w.redirects.toPublished.id)).redirect.status, allowed ? 302 : 301, allowed ? 'changed' : 'unchanged')
      }
    }
  },
  deleteRedirect: {
    'the world\'s redirect': {
      params: (w) => ({ id: w.redirects.toPublished.id }),
      check: async ({ t, app, w, allowed }) => {
        const lookup = await request(app, t, { method: 'GET', url: `/v1/redirects?path=${w.redirects.toPublished.from}` })
        t.equal(lookup.statusCode, allowed ? 404 : 200, allowed ? 'the path no longer redirects' : 'still redirects')
      }
    }
  },
  listWebhooks: {
    'all webhooks': {
      alone: true,
      check: ({ t, w, allowed, response }) => {
        if (!allowed) return
        t.same(ids(response.json().data), [w.webhook.id], 'the world\'s webhook')
        t.notOk(response.body.includes('whsec_'), 'without its secret')
      }
    }
  },
  createWebhook: {
    'a webhook to a public address': {
      payload: (w) => ({ url: `https://hooks.example.net/matrix-${w.n}`, events: ['article.published'] }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) t.match(response.json(), { url: `https://hooks.example.net/matrix-${w.n}`, secret: /^whsec_/ })
        const made = (await allWebhooks(app)).filter(({ url }) => url === `https://hooks.example.net/matrix-${w.n}`)
        t.equal(made.length, allowed ? 1 : 0, allowed ? 'the webhook exists' : 'no webhook was created')
      }
    }
  },
  getWebhook: {
    'the world\'s webhook': {
      params: (w) => ({ id: w.webhook.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: w.webhook.id, events: ['author.deleted'] }) }
    }
  },
  updateWebhook: {
    'the world\'s webhook': {
      params: (w) => ({ id: w.webhook.id }),
      payload: () => ({ description: 'Changed by the matrix' }),
      check: async ({ t, app, w, allowed }) => {
        const { webhook } = await webhooks.findOne(app.store, w.webhook.id)
        t.equal(webhook.description, allowed ? 'Changed by the matrix' : '', allowed ? 'changed' : 'unchanged')
      }
    }
  },
  deleteWebhook: {
    'the world\'s webhook': {
      params: (w) => ({ id: w.webhook.id }),
      check: async ({ t, app, w, allowed }) => {
        const left = (await allWebhooks(app)).some(({ id }) => id === w.webhook.id)
        t.equal(left, !allowed, allowed ? 'deleted' : 'still there')
      }
    }
  },
  rotateWebhookSecret: {
    'the world\'s webhook': {
      params: (w) => ({ id: w.webhook.id }),
      check: async ({ t, app, w, allowed, response }) => {
        if (allowed) t.match(response.json(), { id: w.webhook.id, secret: /^whsec_/ })
        const { webhook } = await webhooks.findOne(app.store, w.webhook.id)
        t.equal(webhook.updatedAt !== w.webhook.updatedAt, allowed, allowed ? 'a new secret' : 'the secret is unchanged')
      }
    }
  },
  listWebhookDeliveries: {
    'the world\'s webhook\'s': {
      params: (w) => ({ id: w.webhook.id }),
      check: ({ t, w, allowed, response }) => {
        if (allowed) t.same(sorted(ids(response.json().data)), sorted(w.webhook.deliveryIds), 'its deliveries: A\'s and B\'s creation')
      }
    }
  },
  getWebhookDelivery: {
    'a delivery of the world\'s webhook': {
      params: (w) => ({ id: w.webhook.id, deliveryId: w.webhook.deliveryIds[0]! }),
      check: ({ t, allowed, response }) => { if (allowed) t.match(response.json(), { event: 'author.created', status: 'pending' }) }
    }
  },
  redeliverWebhookDelivery: {
    'a delivery of the world\'s webhook': {
      params: (w) => ({ id: w.webhook.id, deliveryId: w.webhook.deliveryIds[0]! }),
      check: async ({ t, app, w, allowed }) => {
        const delivery = await webhooks.findDelivery(app.store, w.webhook.id, w.webhook.deliveryIds[0]!)
        t.equal(delivery.status, 'pending', 'due again (the matrix\'s apps send nothing)')
        if (allowed) t.ok(Date.parse(delivery.nextAttemptAt!) <= Date.now(), 'due now')
      }
    }
  },
  uploadMedia: {
    'a small JPEG': {
      form: async (w) => multipart({ alt: `Uploaded by the matrix ${w.n}` }, { name: 'matrix.jpg', data: await smallPhoto, type: 'image/jpeg' }),
      check: async ({ t, app, w, caller, allowed, response }) => {
        const found = (await media.list(app.store, { q: `matrix ${w.n}`, limit: 100 })).items.filter((item) => item.alt === `Uploaded by the matrix ${w.n}`)
        t.equal(found.length, allowed ? 1 : 0, allowed ? 'the image is in the library' : 'nothing was uploaded')
        if (!allowed) return
        const owner = { own: w.own.id, other: w.other.id, editor: null, admin: null, anonymous: null }[caller]
        t.equal(response.json().ownerAuthorId, owner, 'owned by the uploading author (staff tokens are nobody\'s)')
      }
    }
  },
  listMedia: {
    'the library': {
      alone: true,
      check: ({ t, w, allowed, response }) => {
        if (allowed) t.same(ids(response.json().data), sorted([imagesOf(w).own.id, imagesOf(w).featured.id]), 'every image, whoever uploaded it')
      }
    }
  },
  getMedia: {
    'the own image': {
      params: (w) => ({ id: imagesOf(w).own.id }),
      check: ({ t, w, allowed, response }) => { if (allowed) t.match(response.json(), { id: imagesOf(w).own.id, ownerAuthorId: w.own.id, alt: 'As uploaded' }) }
    }
  },
  updateMedia: {
    'the own image': {
      params: (w) => ({ id: imagesOf(w).own.id }),
      payload: () => ({ alt: 'Changed by the matrix' }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await media.findOne(app.store, imagesOf(w).own.id)).media.alt, allowed ? 'Changed by the matrix' : 'As uploaded', allowed ? 'changed' : 'unchanged')
      }
    }
  },
  deleteMedia: {
    'the own image': {
      params: (w) => ({ id: imagesOf(w).own.id }),
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/media/${imagesOf(w).own.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'deleted' : 'still there')
        t.equal((await app.inject({ method: 'GET', url: imagesOf(w).own.url })).statusCode, allowed ? 404 : 200, allowed ? 'its files are gone' : 'its files are served')
      }
    },
    'the own image the own draft features': {
      params: (w) => ({ id: imagesOf(w).featured.id }),
      check: async ({ t, app, w }) => {
        t.equal((await asAdmin(app, t, `/v1/media/${imagesOf(w).featured.id}`)).statusCode, 200, 'still there')
        t.equal((await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)).featuredImage?.id, imagesOf(w).featured.id, 'still on the draft')
      }
    },
    'the own image the own draft features, with force=true': {
      params: (w) => ({ id: imagesOf(w).featured.id }),
      query: () => 'force=true',
      check: async ({ t, app, w, allowed }) => {
        t.equal((await asAdmin(app, t, `/v1/media/${imagesOf(w).featured.id}`)).statusCode, allowed ? 404 : 200, allowed ? 'deleted' : 'still there')
        const draft = await readBack(app, t, `/v1/articles/${w.ownDraft.id}`)
        t.equal(draft.featuredImage?.id ?? null, allowed ? null : imagesOf(w).featured.id, allowed ? 'taken off the draft' : 'still on the draft')
      }
    }
  }
}

// --- Running the matrix ------------------------------------------------------------

const problemKinds: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 409: 'conflict', 422: 'batch-failed' }

function fill (template: string, params: Record<string, string | number>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for {${name}} in ${template}`)
    return encodeURIComponent(String(params[name]))
  })
}

function assertAnswer (t: Test, response: LightMyRequestResponse, status: number, url: string): void {
  t.equal(response.statusCode, status, `answers ${status}`, { body: response.body })
  if (response.statusCode !== status) return
  if (status >= 400) {
    t.match(String(response.headers['content-type']), /^application\/problem\+json/, 'as problem+json')
    t.match(response.json(), { type: `https://dateline.dev/problems/${problemKinds[status]}`, status, instance: url.split('?')[0] }, 'a problem of the right type')
    if (status === 401) t.match(String(response.headers['www-authenticate']), /^Bearer\b/, 'with a Bearer challenge')
  }
  if (status === 201) t.match(String(response.headers.location), /^\/v1\/[a-z]+\/[^/]+(?:\/[a-z]+\/[^/]+)?$/, 'with a Location')
  if (status === 204) t.equal(response.body, '', 'with no body')
}

interface Operation { operationId: string, method: string, path: string }

const isRead = (operation: Operation): boolean => operation.method === 'GET' || operation.method === 'HEAD'

/**
 * Runs the matrix's reads or writes, on an app of their own; `part` takes every `of`-th
 * operation of them from the `index`-th (0 first), for a file each: every row builds a world
 * (the writes one per caller), and on PostgreSQL with a bucket for images on a slow machine
 * all the reads in one file ran past two minutes once pages had a history.
 * The first part of the reads also checks that every operation has its rows.
 */
export async function runRoleMatrix (t: Test, which: 'reads' | 'writes', part?: { index: number, of: number }): Promise<void> {
  const shared = await build(t, quietApp)
  const document = shared.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> }
  const operations: Operation[] = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ operationId: operation.operationId ?? `(${method.toUpperCase()} ${path} has no operationId)`, method: method.toUpperCase(), path })))

  if (which === 'reads' && (part?.index ?? 0) === 0) {
    t.test('every operation in the OpenAPI document has a row in the role matrix, and every row an operation', async (t) => {
      t.ok(operations.length >= 28, `the document has ${operations.length} operations`)
      const documented = operations.map((operation) => operation.operationId)
      t.same(documented.filter((id) => expected[id] === undefined), [], 'no operation without expectations')
      t.same(Object.keys(expected).filter((id) => !documented.includes(id)), [], 'no expectations for an operation that is gone')
      for (const [id, rows] of Object.entries(expected)) {
        t.same(Object.keys(targets[id] ?? {}), Object.keys(rows), `${id}: each row says how to ask for its target`)
      }
    })
  }

  const selected = operations.filter((operation) => isRead(operation) === (which === 'reads'))
  for (const operation of selected.filter((_, index) => part === undefined || index % part.of === part.index)) {
    t.test(`${operation.operationId}: ${operation.method} ${operation.path}`, async (t) => {
      const rows = expected[operation.operationId]
      if (rows === undefined) {
        t.fail(`${operation.operationId} has no row in the role matrix`)
        return
      }
      for (const [on, row] of Object.entries(rows)) {
        const target = targets[operation.operationId]?.[on]
        if (target === undefined) {
          t.fail(`${operation.operationId} on ${on}: no target`)
          continue
        }
        t.test(`on ${on}`, async (t) => {
          const alone = target.alone === true ? await build(t, quietApp) : undefined
          const app = alone ?? shared
          // A read changes nothing a caller after it could see: the five share one world.
          const extras = { images: operation.path.startsWith('/v1/media'), corrections: operation.path.includes('corrections') }
          const sharedWorld = alone !== undefined || isRead(operation) ? await makeWorld(app, extras) : undefined
          for (const [index, caller] of callers.entries()) {
            const status = row[index]!
            t.test(`${callerNames[caller]} gets ${status}`, async (t) => {
              const w = sharedWorld ?? await makeWorld(app, extras)
              const query = target.query?.(w)
              const url = fill(operation.path, target.params?.(w) ?? {}) + (query === undefined ? '' : `?${query}`)
              const form = await target.form?.(w)
              const payload = form?.payload ?? target.payload?.(w)
              const response = await requestDocument(app, t, {
                method: operation.method,
                url,
                headers: { ...(caller === 'anonymous' ? {} : bearer(w.secrets[caller])), ...form?.headers },
                ...(payload === undefined ? {} : { payload })
              })
              assertAnswer(t, response, status, url)
              if (response.statusCode === status) await target.check?.({ t, app, w, caller, response, allowed: status < 300 })
            })
          }
        })
      }
    })
  }
}
