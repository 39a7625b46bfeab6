import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { encodeOnceFrom } from '../../src/plugins/answer-bytes.js'
import { build, createArticle, createAuthor } from '../helper.js'

// Large reads go out as bytes encoded once (plugins/answer-bytes.ts): what a client receives
// must be the same answer, over a real socket.

interface Received { status: number, headers: IncomingHttpHeaders, body: Buffer }

function fetchRaw (port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

t.test('a large page with characters beyond Latin-1 arrives whole, with its length, ETag and 304', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Zoë Ünal' })
  // "…", "—" and "€" make the JSON a two-byte string in V8; "é" is Latin-1.
  const body = `<p>${'Café prices rose — by 3 € … again. '.repeat(150)}</p>`
  for (let n = 0; n < 6; n++) await createArticle(app, t, { authorId: author.id, title: `Prices, part ${n} — “quoted”`, status: 'published', body })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const path = '/v1/articles?include=author'

  const full = await fetchRaw(port, path)
  t.equal(full.status, 200)
  t.ok(full.body.length >= encodeOnceFrom, `large enough to be sent as bytes (${full.body.length} B)`)
  t.equal(Number(full.headers['content-length']), full.body.length, 'Content-Length counts bytes, not characters')
  t.match(full.headers['content-type'], /^application\/json; charset=utf-8/)
  const page = JSON.parse(full.body.toString('utf8')) as { data: Array<{ title: string, body: string, author: { name: string } }> }
  t.equal(page.data.length, 6)
  t.equal(page.data[0]!.title, 'Prices, part 5 — “quoted”')
  t.ok(page.data[0]!.body.includes('Café prices rose — by 3 € … again.'))
  t.equal(page.data[0]!.author.name, 'Zoë Ünal')
  t.equal(full.body.toString('utf8'), (await app.inject({ method: 'GET', url: path })).body, 'the same answer as in-process')

  const head = await fetchRaw(port, path, 'HEAD')
  t.equal(head.status, 200)
  t.equal(head.headers['content-length'], full.headers['content-length'], 'HEAD gives the same length')
  t.equal(head.body.length, 0)

  const etag = String(full.headers.etag)
  const again = await fetchRaw(port, path, 'GET', { 'if-none-match': etag })
  t.equal(again.status, 304)
  t.equal(again.body.length, 0)
  t.equal(again.headers.etag, etag)
})

t.test('an article by id, below the size, is answered as before', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Short — and sweet…', status: 'published', body: '<p>Brief.</p>' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const answer = await fetchRaw(port, `/v1/articles/${article.id}`)
  t.equal(answer.status, 200)
  t.equal(Number(answer.headers['content-length']), answer.body.length)
  t.equal((JSON.parse(answer.body.toString('utf8')) as { title: string }).title, 'Short — and sweet…')
})
