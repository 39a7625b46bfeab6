import type { AddressInfo } from 'node:net'
import t from 'tap'
import { launchChromium } from './browser.js'
import { adminSecret, bearer, build, createArticle, createAuthor } from './helper.js'

// A live blog page in headless Chromium (issue 20): it subscribes to one article with the
// browser's own EventSource and shows an update and a new approved comment without reloading.

// The page's whole script: what a front end would write. Every event re-reads what it names.
const livePage = (base: string, articleId: number): string => `<!doctype html><meta charset="utf-8">
<h1 id="title"></h1><ul id="comments"></ul>
<script>
  const api = ${JSON.stringify(base)}
  async function showArticle () {
    const article = await (await fetch(api + '/v1/articles/${articleId}')).json()
    document.getElementById('title').textContent = article.title
  }
  async function showComments () {
    const { data } = await (await fetch(api + '/v1/articles/${articleId}/comments')).json()
    document.getElementById('comments').replaceChildren(...data.map((comment) => Object.assign(document.createElement('li'), { textContent: comment.body.replace(/<[^>]*>/g, '') })))
  }
  showArticle().then(showComments).then(() => {
    const live = new EventSource(api + '/v1/stream?article=${articleId}')
    live.onopen = () => { document.body.dataset.live = 'yes' }
    live.onmessage = (event) => {
      const change = JSON.parse(event.data)
      if (change.resource === 'article') showArticle()
      if (change.resource === 'comment') showComments()
    }
  })
</script>`

t.test('a page following an article shows its new headline and a newly approved comment without reloading', async (t) => {
  const browser = await launchChromium(t)
  if (browser === null) return
  const app = await build(t, { streamPollMs: 50 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Storm warning', status: 'published' })
  const page = await browser.newPage()
  t.teardown(() => page.close())
  await page.setContent(livePage(base, article.id))
  await page.waitForFunction('document.body.dataset.live === "yes"', null, { timeout: 10_000 })
  t.equal(await page.textContent('#title'), 'Storm warning')

  const admin = bearer(adminSecret)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { title: 'Storm warning: schools closed' } })).statusCode, 200)
  await page.waitForFunction('document.getElementById("title").textContent === "Storm warning: schools closed"', null, { timeout: 10_000 })
  t.pass('the new headline, without a reload')

  const posted = await app.inject({ method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: 'A parent', body: 'Thanks for the update.' } })
  t.equal(posted.statusCode, 201)
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/comments/${posted.json().id}`, headers: admin, payload: { status: 'approved' } })).statusCode, 200)
  await page.waitForFunction('document.getElementById("comments").textContent.includes("Thanks for the update.")', null, { timeout: 10_000 })
  t.pass('the approved comment, without a reload')
})
