// kill -9 in the middle of concurrent writes, again and again: after each restart every write
// that got a 2xx is there with the content acknowledged, every write cut off by the kill is
// there whole or not at all, and SQLite finds nothing wrong with the file.
// CRASH_ROUNDS=50 npx tap --timeout=1200 test/reliability/crash.test.ts for a long run.
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { tempDatabase } from '../helper.js'
import { admin, send, sleep, startServer, until, within, type ServerProcess } from './server-process.js'

const rounds = Math.max(1, Number(process.env.CRASH_ROUNDS ?? 5))
const workers = 8
const labelPool = ['Transport', 'Weather', 'Council', 'Schools', 'Sport', 'Culture']
const serverEnv = { DATELINE_COMMENTS_AUTOAPPROVE: 'true', DATELINE_COMMENT_RATE_LIMIT: '10000' }

interface Content { title: string, body: string, excerpt: string, labels: string[], status: string }

interface TrackedArticle {
  id: number
  owner: number
  version: number
  /** As the last 2xx answer told it (or as found after a kill, when an unanswered edit landed). */
  content: Content
  /** An edit sent but never answered (the kill cut it off): it may or may not have landed. */
  unanswered: { title: string, labels: string[] } | null
}

interface TrackedComment { id: number, articleId: number, body: string }

/** Everything the clients sent and were told, across rounds. */
class Ledger {
  articles = new Map<number, TrackedArticle>()
  comments = new Map<number, TrackedComment>()
  /** Creates sent but never answered, by title (unique). */
  unansweredArticles = new Map<string, { owner: number, labels: string[] }>()
  /** Comments sent but never answered, by body marker (unique). */
  unansweredComments = new Map<string, { articleId: number }>()
  unexpected: string[] = []
  acknowledged = { creates: 0, edits: 0, comments: 0 }
  cutOff = { landed: 0, vanished: 0 }
}

function pickLabels (): string[] {
  const shuffled = [...labelPool].sort(() => Math.random() - 0.5)
  return shuffled.slice(0, 1 + Math.floor(Math.random() * 3))
}

function contentOf (body: Record<string, any>): Content {
  return { title: body.title, body: body.body, excerpt: body.excerpt, labels: body.labels, status: body.status }
}

function versionOf (etag: unknown): number {
  const match = /-v(\d+)\./.exec(String(etag))
  if (match === null) throw new Error(`no version in the ETag ${String(etag)}`)
  return Number(match[1])
}

function isConnectionError (error: unknown): boolean {
  return typeof (error as { code?: unknown }).code === 'string'
}

/** One client: creates, comments and edits (with If-Match) until told to stop, one request at a time. */
async function client (port: number, ledger: Ledger, worker: number, round: number, authorId: number, stop: { now: boolean }): Promise<void> {
  for (let n = 1; !stop.now; n++) {
    const own = [...ledger.articles.values()].filter((article) => article.owner === worker && article.unanswered === null)
    const all = [...ledger.articles.values()]
    const dice = Math.random()
    try {
      if (own.length === 0 || dice < 0.35) await createArticle(port, ledger, worker, round, n, authorId)
      else if (dice < 0.7 && all.length > 0) await comment(port, ledger, all[Math.floor(Math.random() * all.length)]!, worker, round, n)
      else await edit(port, ledger, own[Math.floor(Math.random() * own.length)]!, round, n)
    } catch (error) {
      if (!isConnectionError(error)) throw error
      // The server is gone (the kill): what was in flight stays unanswered.
      return
    }
  }
}

async function createArticle (port: number, ledger: Ledger, worker: number, round: number, n: number, authorId: number): Promise<void> {
  const title = `Crash r${round} w${worker} n${n} ${Math.random().toString(36).slice(2, 8)}`
  const labels = pickLabels()
  ledger.unansweredArticles.set(title, { owner: worker, labels })
  const answer = await send(port, {
    method: 'POST',
    path: '/v1/articles',
    headers: admin,
    body: { title, body: `<p>Filed by client ${worker} in round ${round}, write ${n}.</p>`, labels, status: 'published', authorId }
  })
  if (answer.status !== 201) {
    ledger.unexpected.push(`POST /v1/articles answered ${answer.status}: ${answer.body}`)
    return
  }
  ledger.unansweredArticles.delete(title)
  const article = JSON.parse(answer.body)
  ledger.articles.set(article.id, { id: article.id, owner: worker, version: versionOf(answer.headers.etag), content: contentOf(article), unanswered: null })
  ledger.acknowledged.creates++
}

async function comment (port: number, ledger: Ledger, article: TrackedArticle, worker: number, round: number, n: number): Promise<void> {
  const marker = `Comment r${round} w${worker} n${n}`
  ledger.unansweredComments.set(marker, { articleId: article.id })
  const answer = await send(port, {
    method: 'POST',
    path: `/v1/articles/${article.id}/comments`,
    headers: admin,
    body: { authorName: `Reader ${worker}`, body: marker }
  })
  if (answer.status !== 201) {
    ledger.unexpected.push(`POST /v1/articles/${article.id}/comments answered ${answer.status}: ${answer.body}`)
    return
  }
  ledger.unansweredComments.delete(marker)
  const created = JSON.parse(answer.body)
  ledger.comments.set(created.id, { id: created.id, articleId: article.id, body: created.body })
  ledger.acknowledged.comments++
}

async function edit (port: number, ledger: Ledger, article: TrackedArticle, round: number, n: number): Promise<void> {
  const change = { title: `${article.content.title.split(' / ')[0]} / edit r${round} n${n}`, labels: pickLabels() }
  article.unanswered = change
  const answer = await send(port, {
    method: 'PATCH',
    path: `/v1/articles/${article.id}`,
    headers: { ...admin, 'if-match': `"article-${article.id}-v${article.version}"` },
    body: { ...change, body: `<p>Edited in round ${round}, write ${n}.</p>` }
  })
  if (answer.status !== 200) {
    ledger.unexpected.push(`PATCH /v1/articles/${article.id} answered ${answer.status}: ${answer.body}`)
    article.unanswered = null
    return
  }
  article.unanswered = null
  article.version = versionOf(answer.headers.etag)
  article.content = contentOf(JSON.parse(answer.body))
  ledger.acknowledged.edits++
}

interface ArticleRow { id: number, title: string, body: string, excerpt: string, status: string, commentCount: number, version: number }

function sameLabels (a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((label, index) => label === b[index])
}

/** Reads the file directly: SQLite's own checks, then every row against what the clients were told. */
function checkFile (tt: Test, file: string, ledger: Ledger, round: number): void {
  const db = new Database(file, { timeout: 5000 })
  try {
    tt.same(db.pragma('integrity_check'), [{ integrity_check: 'ok' }], `round ${round}: PRAGMA integrity_check is ok`)
    tt.same(db.pragma('foreign_key_check'), [], `round ${round}: PRAGMA foreign_key_check finds nothing`)
    for (const index of ['articles_search', 'articles_words']) {
      tt.doesNotThrow(() => db.prepare(`insert into ${index} (${index}) values ('integrity-check')`).run(), `round ${round}: the ${index} full-text index agrees with its content`)
    }

    const rows = db.prepare('select id, title, body, excerpt, status, comment_count as commentCount, version from articles').all() as ArticleRow[]
    const labelRows = db.prepare('select al.article_id as articleId, l.name from article_labels al join labels l on l.id = al.label_id order by al.article_id, al.position').all() as Array<{ articleId: number, name: string }>
    const labelsOf = new Map<number, string[]>()
    for (const row of labelRows) labelsOf.set(row.articleId, [...(labelsOf.get(row.articleId) ?? []), row.name])
    const searchTitles = new Map((db.prepare('select id, title from articles_text').all() as Array<{ id: number, title: string }>).map((row) => [row.id, row.title]))
    const commentRows = db.prepare('select id, article_id as articleId, body, status from comments').all() as Array<{ id: number, articleId: number, body: string, status: string }>
    const approved = new Map<number, number>()
    for (const row of commentRows) if (row.status === 'approved') approved.set(row.articleId, (approved.get(row.articleId) ?? 0) + 1)

    const problems: string[] = []
    const byId = new Map(rows.map((row) => [row.id, row]))
    for (const article of ledger.articles.values()) {
      const row = byId.get(article.id)
      if (row === undefined) {
        problems.push(`article ${article.id} ("${article.content.title}") was acknowledged but is gone`)
        continue
      }
      const labels = labelsOf.get(row.id) ?? []
      const asAcknowledged = row.title === article.content.title && row.body === article.content.body && row.excerpt === article.content.excerpt &&
        row.status === article.content.status && sameLabels(labels, article.content.labels) && row.version === article.version
      const cutOffEditLanded = article.unanswered !== null && row.title === article.unanswered.title && sameLabels(labels, article.unanswered.labels) && row.version === article.version + 1
      if (!asAcknowledged && !cutOffEditLanded) {
        problems.push(`article ${article.id} is neither as acknowledged nor as the edit cut off by the kill: ${JSON.stringify({ row, labels, acknowledged: article.content, version: article.version, unanswered: article.unanswered })}`)
        continue
      }
      if (article.unanswered !== null) ledger.cutOff[cutOffEditLanded ? 'landed' : 'vanished']++
      article.version = row.version
      article.content = { title: row.title, body: row.body, excerpt: row.excerpt, labels, status: row.status }
      article.unanswered = null
    }
    for (const row of rows) {
      if (ledger.articles.has(row.id)) continue
      const sent = ledger.unansweredArticles.get(row.title)
      const labels = labelsOf.get(row.id) ?? []
      if (sent === undefined) {
        problems.push(`article ${row.id} ("${row.title}") exists but no client created it`)
        continue
      }
      if (!sameLabels(labels, sent.labels)) problems.push(`article ${row.id}, created by a request the kill cut off, is half-written: labels ${JSON.stringify(labels)} instead of ${JSON.stringify(sent.labels)}`)
      ledger.articles.set(row.id, { id: row.id, owner: sent.owner, version: row.version, content: { title: row.title, body: row.body, excerpt: row.excerpt, labels, status: row.status }, unanswered: null })
      ledger.cutOff.landed++
    }
    for (const row of rows) {
      if (searchTitles.get(row.id) !== row.title) problems.push(`article ${row.id} ("${row.title}") has no matching search row (${JSON.stringify(searchTitles.get(row.id))})`)
      if (row.commentCount !== (approved.get(row.id) ?? 0)) problems.push(`article ${row.id} has commentCount ${row.commentCount} but ${approved.get(row.id) ?? 0} approved comments`)
    }
    const commentsById = new Map(commentRows.map((row) => [row.id, row]))
    for (const comment of ledger.comments.values()) {
      const row = commentsById.get(comment.id)
      if (row === undefined || row.articleId !== comment.articleId || row.body !== comment.body) problems.push(`comment ${comment.id} was acknowledged but is ${row === undefined ? 'gone' : `changed: ${JSON.stringify(row)}`}`)
    }
    for (const row of commentRows) {
      if (ledger.comments.has(row.id)) continue
      const marker = /Comment r\d+ w\d+ n\d+/.exec(row.body)?.[0]
      const sent = marker === undefined ? undefined : ledger.unansweredComments.get(marker)
      if (sent === undefined || sent.articleId !== row.articleId) {
        problems.push(`comment ${row.id} exists but no client posted it: ${JSON.stringify(row)}`)
        continue
      }
      ledger.comments.set(row.id, { id: row.id, articleId: row.articleId, body: row.body })
      ledger.cutOff.landed++
    }
    ledger.cutOff.vanished += [...ledger.unansweredArticles.keys()].filter((title) => !rows.some((row) => row.title === title)).length
    ledger.cutOff.vanished += [...ledger.unansweredComments.keys()].filter((marker) => !commentRows.some((row) => row.body.includes(marker))).length
    ledger.unansweredArticles.clear()
    ledger.unansweredComments.clear()
    tt.same(problems, [], `round ${round}: every acknowledged write is there as acknowledged, nothing half-written (${rows.length} articles, ${commentRows.length} comments)`)
  } finally {
    db.close()
  }
}

/** Through the restarted server: each article acknowledged so far reads back as the file says. */
async function checkApi (tt: Test, server: ServerProcess, ledger: Ledger, round: number): Promise<void> {
  const mismatches: string[] = []
  const articles = [...ledger.articles.values()]
  for (let start = 0; start < articles.length; start += 16) {
    await Promise.all(articles.slice(start, start + 16).map(async (article) => {
      const answer = await send(server.port, { path: `/v1/articles/${article.id}`, headers: admin })
      if (answer.status !== 200) {
        mismatches.push(`GET /v1/articles/${article.id} answered ${answer.status}`)
        return
      }
      const body = JSON.parse(answer.body)
      const comments = [...ledger.comments.values()].filter((comment) => comment.articleId === article.id).length
      if (body.title !== article.content.title || !sameLabels(body.labels, article.content.labels) || body.body !== article.content.body || body.commentCount !== comments) {
        mismatches.push(`GET /v1/articles/${article.id}: ${JSON.stringify({ title: body.title, labels: body.labels, commentCount: body.commentCount })}, expected ${JSON.stringify({ ...article.content, commentCount: comments })}`)
      }
    }))
  }
  tt.same(mismatches, [], `round ${round}: the restarted server answers every article (${articles.length}) as acknowledged, with its commentCount`)
}

t.test(`kill -9 during concurrent writes loses no acknowledged write and leaves nothing half-written (${rounds} rounds)`, async (t) => {
  t.setTimeout(Math.max(120_000, rounds * 20_000))
  const file = tempDatabase(t)
  let server = await startServer(t, file, serverEnv)
  const author = await send(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Crash Desk' } })
  t.equal(author.status, 201, 'an author to write as')
  const authorId = JSON.parse(author.body).id as number
  const ledger = new Ledger()

  for (let round = 1; round <= rounds; round++) {
    const before = ledger.acknowledged.creates + ledger.acknowledged.edits + ledger.acknowledged.comments
    const stop = { now: false }
    const clients = Array.from({ length: workers }, (_, worker) => client(server.port, ledger, worker, round, authorId, stop))
    // Kill once the burst is well under way, at a random moment.
    await until(15_000, `round ${round}: writes being acknowledged`, () =>
      ledger.acknowledged.creates + ledger.acknowledged.edits + ledger.acknowledged.comments >= before + 12)
    await sleep(Math.random() * 400)
    server.child.kill('SIGKILL')
    const exit = await within(10_000, 'the killed server exiting', server.exited)
    stop.now = true
    await within(10_000, 'the clients noticing', Promise.all(clients))
    t.equal(exit.signal, 'SIGKILL', `round ${round}: the server was killed mid-burst`)
    t.same(ledger.unexpected, [], `round ${round}: every answer before the kill was a 2xx`)

    server = await startServer(t, file, serverEnv)
    checkFile(t, file, ledger, round)
    await checkApi(t, server, ledger, round)
  }

  const { creates, edits, comments } = ledger.acknowledged
  t.comment(`kill -9 rounds: ${rounds}; acknowledged writes checked: ${creates + edits + comments} (${creates} articles created, ${edits} edits with If-Match, ${comments} comments); writes cut off by a kill: ${ledger.cutOff.landed} landed whole, ${ledger.cutOff.vanished} not at all`)
  t.ok(creates + edits + comments >= rounds * 12, 'writes were acknowledged in every round')

  server.child.kill('SIGTERM')
  const exit = await within(15_000, 'the last server exiting', server.exited)
  t.equal(exit.code, 0, 'the last server stops cleanly')
})
