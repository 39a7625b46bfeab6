import { metaQueries } from '../db/meta.js'
import { UntilNextWrite, type Store } from '../db/store.js'
import { htmlToText } from '../lib/html.js'
import type { FtsQuery } from './query.js'
import { searchQueries, type IndexedArticle, type IndexedText, type SearchDocument, type SearchQueries } from './queries.js'
import { snippetOf } from './snippet.js'

// Keeping articles searchable, whatever the dialect does underneath (./queries.ts).

export type { SearchDocument } from './queries.js'

function searchText (document: SearchDocument, bodyText = htmlToText(document.body)): IndexedText {
  return { title: document.title, excerpt: document.excerpt, body: bodyText, labels: document.labels.join(' ') }
}

/**
 * Writes (or rewrites) an article's search rows; call it in the article's transaction.
 * `bodyUnchanged` (an edit of the title, excerpt or labels) reuses the body's indexed text:
 * reading text out of HTML is the costliest step after the indexing itself.
 */
export async function indexArticle (store: Store, document: SearchDocument, { bodyUnchanged = false } = {}): Promise<void> {
  const search = searchQueries(store)
  const indexed = await search.unindexArticle(document.id)
  await search.indexArticle(document.id, searchText(document, bodyUnchanged ? indexed?.body : undefined))
}

/** Removes an article's search rows; returns the text they held, if any. */
export async function unindexArticle (store: Store, id: number): Promise<IndexedText | undefined> {
  return await searchQueries(store).unindexArticle(id)
}

/**
 * Search rows for many articles written in one transaction (an import). Each article's text
 * goes in as it comes; they are made searchable `batch` at a time, which costs about half of
 * indexing article by article (bench/import.mjs), and not all at the end, while an import's
 * reader thread prepares the next articles (250 at a time: 20 k articles imported in 7.8 s,
 * 8.8 s with 1,000, 9.2 s all at the end). Call `flush` before commit.
 */
export class SearchIndexBatch {
  readonly #pending = new Set<number>()

  constructor (private readonly store: Store, private readonly batch = 250) {}

  /** `bodyText`: the body's text (`htmlToText`), when the caller has it already. */
  async add (document: SearchDocument, bodyText?: string): Promise<void> {
    const search = searchQueries(this.store)
    if (this.#pending.has(document.id)) {
      // Not searchable yet: only its text is replaced.
      await search.deleteText(document.id)
    } else {
      await search.unindexArticle(document.id)
      this.#pending.add(document.id)
    }
    await search.writeText(document.id, searchText(document, bodyText))
    if (this.#pending.size >= this.batch) await this.flush()
  }

  async flush (): Promise<void> {
    if (this.#pending.size === 0) return
    await searchQueries(this.store).indexTexts([...this.#pending])
    this.#pending.clear()
  }
}

// Bump when what is indexed changes, so existing databases are indexed again at start-up.
const indexVersion = '4'

/** Indexes every article once, for databases that predate the index or an older version of it. */
export async function ensureSearchIndex (store: Store): Promise<void> {
  if (await metaQueries(store).read('search_index_version') === indexVersion) return
  await store.transaction(async (tx) => {
    const search = searchQueries(tx)
    await search.rebuildIndex(textsOfEveryArticle(search))
    await metaQueries(tx).write('search_index_version', indexVersion)
  })
}

/** Articles read a page at a time: a large site's would not fit in memory at once. */
async function * textsOfEveryArticle (search: SearchQueries, pageSize = 500): AsyncGenerator<IndexedArticle> {
  for (let page = await search.documentsAfter(0, pageSize); page.length > 0; page = await search.documentsAfter(page.at(-1)!.id, pageSize)) {
    for (const document of page) yield { id: document.id, text: searchText(document) }
  }
}

// Counting a word's articles walks its list of them (~0.7 ms for a word in all of 10 k on
// SQLite), and every search asks: counts are kept until the next write.
const shareCache = new UntilNextWrite<number>(2_000)

/**
 * The share of all articles (0 to 1) holding each word, as the stemmed index spells it
 * (`stemmed` in ./query.ts); 0 for all of them while there are fewer than `fewest` articles.
 * `stamp`: the write stamp the request read, which the counts are kept against.
 */
export async function articleShares (store: Store, stamp: string | null, stems: string[], fewest: number): Promise<Map<string, number>> {
  const search = searchQueries(store)
  // Words have no spaces: this key is no word.
  const total = await shareCache.get(store, stamp, ' total', async () => await search.articleCount())
  if (total < fewest) return new Map(stems.map((stem) => [stem, 0]))
  return await shareCache.getMany(store, stamp, stems, async (missing) => {
    const counts = await search.articlesWithWords(missing)
    return new Map(missing.map((stem) => [stem, (counts.get(stem) ?? 0) / total]))
  })
}

/**
 * A short passage of each article around the matched terms, as text with the terms in
 * `<mark>…</mark>` and everything else escaped (src/search/snippet.ts).
 */
export async function snippets (store: Store, search: FtsQuery, ids: number[]): Promise<Map<number, string>> {
  const texts = await searchQueries(store).indexedTexts(ids)
  return new Map([...texts].map(([id, text]) => [id, snippetOf([text.title, text.excerpt, text.body, text.labels], search.marked)]))
}
