import pg from 'pg'
import t, { type Test } from 'tap'
import { openPostgres } from '../../src/db/postgres.js'
import { PostgresStore } from '../../src/db/postgres-store.js'
import type { Store } from '../../src/db/store.js'
import type { Principal } from '../../src/lib/principal.js'
import { articleQueries } from '../../src/resources/articles/queries.js'
import * as articleService from '../../src/resources/articles/service.js'
import * as authorService from '../../src/resources/authors/service.js'
import { commentQueries } from '../../src/resources/comments/queries.js'
import * as commentService from '../../src/resources/comments/service.js'
import { exportLines } from '../../src/resources/export/service.js'
import { importFile } from '../../src/resources/import/service.js'
import { trashArticle } from '../../src/resources/trash/service.js'
import { freshPostgresDatabase } from '../postgres.js'

// An import that meets a delete on PostgreSQL, where both run at once: the import reads the
// rows it decides to update locked, so it waits for the delete and then sees the row gone.
// Without the lock it updated a row that was no longer there (and failed), or re-created an
// article just moved to the trash.

const editor: Principal = { role: 'editor', authorId: null, tokenId: null }
const settings = { timezone: 'UTC', locale: 'en-US', commentsAutoApprove: true, commentDepth: 3, revisionsKept: 3, trashDays: 30 }

interface Site { store: Store, waiting: () => Promise<number> }

/** A fresh database with an article and a comment on it, and a way to see units waiting for a lock. */
async function site (t: Test): Promise<Site> {
  const { url } = await freshPostgresDatabase(t)
  const { db } = await openPostgres(url)
  const store = new PostgresStore(db)
  t.teardown(() => store.close())
  const observer = new pg.Client({ connectionString: url })
  await observer.connect()
  t.teardown(() => observer.end())
  await authorService.createOne(store, { name: 'Ada' }, editor)
  await articleService.createOne(store, settings, { title: 'Harbour', markdown: 'The harbour at night.', authorId: 1, status: 'published' }, editor)
  await commentService.createForArticle(store, settings, 'harbour', { authorName: 'Reader', body: '<p>Lovely</p>' }, null)
  const waiting = async (): Promise<number> => {
    const { rows } = await observer.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")
    return rows[0]!.n
  }
  return { store, waiting }
}

/** The site's export, each line of `type` changed by `change` (as if edited at the source since). */
async function exportedWith (store: Store, type: string, change: (line: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
  let text = ''
  for await (const line of exportLines(store, { settings, mediaBase: null })) {
    const value = JSON.parse(line) as Record<string, unknown>
    text += value.type === type ? JSON.stringify(change(value)) + '\n' : line
  }
  return text
}

async function * once (text: string): AsyncGenerator<string> {
  yield text
}

/**
 * Runs `remove` in a unit that holds its row until the import started meanwhile is waiting for
 * it, then commits: the import's answer, or its failure.
 */
async function importDuringDelete (t: Test, { store, waiting }: Site, file: string, remove: (tx: Store) => Promise<void>): Promise<PromiseSettledResult<Awaited<ReturnType<typeof importFile>>>> {
  let importing: Promise<PromiseSettledResult<Awaited<ReturnType<typeof importFile>>>> | undefined
  await store.transaction(async (tx) => {
    await remove(tx)
    importing = importFile(store, settings, once(file), { dryRun: false }).then(
      (value) => ({ status: 'fulfilled', value }),
      (reason: unknown) => ({ status: 'rejected', reason })
    )
    const until = Date.now() + 10_000
    while (await waiting() === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
    t.equal(await waiting(), 1, 'the import waits for the deleting unit')
  })
  return await importing!
}

t.test('an article moved to the trash while an import updates it stays in the trash', async (t) => {
  const site_ = await site(t)
  const file = await exportedWith(site_.store, 'article', (line) => ({ ...line, title: 'Harbour, rewritten', updatedAt: '2030-01-01T00:00:00.000Z' }))
  const result = await importDuringDelete(t, site_, file, async (tx) => {
    const article = (await articleQueries(tx).articleBySlugOrIdForUpdate('harbour'))!
    await trashArticle(tx, article, editor, new Date().toISOString(), settings.trashDays)
  })
  t.equal(result.status, 'fulfilled', 'the import went through')
  if (result.status !== 'fulfilled') return
  t.same(result.value.counts.articles, { created: 0, updated: 0, unchanged: 0, skipped: 1 })
  t.match(result.value.skipped, [{ resource: 'article', reason: /article 1 is in the trash/ }])
  t.equal(await articleQueries(site_.store).articleById(1), undefined, 'no live copy of the trashed article')
  t.equal((await articleQueries(site_.store).countArticles({ visibility: { publishedOnly: false, alsoAuthorId: null, now: new Date().toISOString() } })), 0, 'nor one under another id')
})

t.test('a comment deleted while an import updates it is written again, as an import after the delete would', async (t) => {
  const site_ = await site(t)
  const file = await exportedWith(site_.store, 'comment', (line) => ({ ...line, body: '<p>Lovely, edited</p>', updatedAt: '2030-01-01T00:00:00.000Z' }))
  const result = await importDuringDelete(t, site_, file, async (tx) => {
    const comment = (await commentQueries(tx).commentByIdForUpdate(1))!
    await commentQueries(tx).deleteComment(comment)
    await commentQueries(tx).recountApproved(comment.articleId)
  })
  t.equal(result.status, 'fulfilled', 'the import went through')
  if (result.status !== 'fulfilled') return
  t.same(result.value.counts.comments, { created: 1, updated: 0, unchanged: 0, skipped: 0 })
  t.equal((await commentQueries(site_.store).commentById(1))?.body, '<p>Lovely, edited</p>', 'under its own id, as the source has it now')
  t.equal((await articleQueries(site_.store).articleById(1))?.commentCount, 1, 'and counted on its article')
})
