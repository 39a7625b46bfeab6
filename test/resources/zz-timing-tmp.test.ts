import t from 'tap'
import { build, request, createAuthor } from '../helper.js'
t.test('x', async (t) => {
  for (let i = 0; i < 5; i++) {
    let s = Date.now()
    const app = await build(t)
    const b = Date.now() - s; s = Date.now()
    await request(app, t, { method: 'GET', url: '/v1/articles' })
    const r = Date.now() - s; s = Date.now()
    await createAuthor(app, t, {})
    console.log('build', b, 'first request', r, 'author', Date.now() - s)
  }
})
