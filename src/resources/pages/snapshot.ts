import { deriveExcerpt } from '../../lib/html.js'
import type { Store } from '../../db/store.js'
import type { SeoValues } from '../seo/queries.js'
import { noSeo, seoValuesOf, storedSeo } from '../seo/service.js'
import type { PageFields, PageRecord } from './queries.js'
import type { PageSnapshot } from './schemas.js'

// The one place that says what a page's history keeps: a revision (page-revisions/) and a
// trashed page (page-trash/) each hold a PageSnapshot, as JSON. A field pages gain is added to
// `pageSnapshot` (schemas.ts) and to these two functions; revisions and the trash then keep
// it, show it and give it back, with no column of their own.

/** What a revision or the trash keeps of a page as it is now. */
export function snapshotOf (page: PageFields, seo: SeoValues): PageSnapshot {
  return {
    title: page.title,
    slug: page.slug,
    status: page.status,
    parentId: page.parentId,
    position: page.position,
    excerpt: page.customExcerpt,
    seo: storedSeo(seo),
    body: page.body
  }
}

/** The page as it is now, its search and social metadata read from beside it. */
export async function currentSnapshot (store: Store, page: PageRecord): Promise<PageSnapshot> {
  return snapshotOf(page, (await seoValuesOf(store, 'page', [page.id])).get(page.id)!)
}

/** The page's stored fields a snapshot gives back, the derived excerpt derived again. */
export function fieldsOf (snapshot: PageSnapshot): PageFields {
  return {
    title: snapshot.title,
    slug: snapshot.slug,
    status: snapshot.status,
    parentId: snapshot.parentId,
    position: snapshot.position,
    customExcerpt: snapshot.excerpt,
    excerpt: snapshot.excerpt ?? deriveExcerpt(snapshot.body),
    body: snapshot.body
  }
}

/** A snapshot stored as JSON (a revision's, a trashed page's). */
export function parseSnapshot (json: string): PageSnapshot {
  const snapshot = JSON.parse(json) as PageSnapshot
  return { ...snapshot, seo: { ...storedSeo(noSeo), ...snapshot.seo } }
}
