import t from 'tap'
import { writeStamp } from '../../src/db/client.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from '../helper.js'

// The ETags of lists, which are made from the database's write stamp before the page is built.

t.test('a list\'s ETag is opaque: it shows no write counter, however many writes there were', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  await createArticle(app, t, { authorId: author.id, title: 'Out in the open', status: 'published' })
  const draft = await createArticle(app, t, { authorId: author.id, title: 'Held back', status: 'draft' })
  const before = String((await request(app, t, { method: 'GET', url: '/v1/articles' })).headers.etag)
  for (let n = 1; n <= 5; n++) {
    const edit = await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: bearer(adminSecret), payload: { title: `Held back ${n}` } })
    t.equal(edit.statusCode, 200)
  }
  const after = String((await request(app, t, { method: 'GET', url: '/v1/articles' })).headers.etag)
  const [changes, version] = writeStamp(app.db).split('.')
  for (const tag of [before, after]) {
    t.match(tag, /^"[\w-]+"$/, 'one opaque token')
    t.notMatch(tag, /\d+\.\d+/, 'no counters joined by a dot')
    t.notMatch(tag, new RegExp(`(^|\\D)${changes}\\.${version}(\\D|$)`), 'not the write stamp')
  }
})
