import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from '../helper.js'

// Plain-text fields refuse control characters (NUL, ESC, C1) and names and titles need
// something visible: a 400 naming the field, on every resource that takes them.

function assertRefused (t: Test, response: LightMyRequestResponse, path: string): void {
  t.equal(response.statusCode, 400, `refused: ${path}`)
  t.match(String(response.headers['content-type']), /^application\/problem\+json/)
  const errors: Array<{ path: string }> = response.json().errors ?? []
  t.ok(errors.some((error) => error.path === path), `errors name ${path}`, { errors })
}

const invisibleTitles = ['\u200B', '\u200B\u2060\uFEFF', ' \u3164 ', '\u00A0\u2800', '\u202E']
const controlled = ['NUL\u0000 here', 'bell\u0007', 'escape \u001B[31m red', 'C1 \u009B csi', 'delete\u007F']

t.test('an article\'s title needs a visible character; title, excerpt and labels refuse control characters', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const post = async (payload: Record<string, unknown>) => await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { authorId: author.id, title: 'Fine', ...payload } })
  for (const title of invisibleTitles) assertRefused(t, await post({ title }), 'body.title')
  for (const text of controlled) {
    assertRefused(t, await post({ title: text }), 'body.title')
    assertRefused(t, await post({ excerpt: text }), 'body.excerpt')
    assertRefused(t, await post({ labels: ['Fine', text] }), 'body.labels.1')
  }
  const article = await createArticle(app, t, { authorId: author.id, title: 'Київ 🎉 zero\u200Bwidth joiners' })
  assertRefused(t, await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { title: 'Nul\u0000' } }), 'body.title')
  const ok = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { title: 'Tabs\tand\nnewlines are spaces', excerpt: 'Line one\r\nline two' } })
  t.equal(ok.statusCode, 200, 'tab, line feed and carriage return are still accepted')
})

t.test('authors, day notes, comments and tokens refuse control characters in their text', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Open for comments', status: 'published' })
  for (const text of controlled) {
    assertRefused(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: text } }), 'body.name')
    assertRefused(t, await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: { bio: text } }), 'body.bio')
    assertRefused(t, await request(app, t, { method: 'POST', url: '/v1/dates', headers: bearer(adminSecret), payload: { date: '2026-06-25', note: text } }), 'body.note')
    assertRefused(t, await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: bearer(adminSecret), payload: { authorName: text, body: 'Hello there' } }), 'body.authorName')
    assertRefused(t, await request(app, t, { method: 'POST', url: '/v1/tokens', headers: bearer(adminSecret), payload: { role: 'editor', name: text } }), 'body.name')
  }
  for (const name of invisibleTitles) {
    assertRefused(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name } }), 'body.name')
    assertRefused(t, await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: bearer(adminSecret), payload: { authorName: name, body: 'Hello there' } }), 'body.authorName')
  }
  const stored = await request(app, t, { method: 'GET', url: '/v1/authors?limit=100', headers: bearer(adminSecret) })
  t.same(stored.json().data.map((row: { name: string }) => row.name), [author.name], 'nothing was stored')
})
