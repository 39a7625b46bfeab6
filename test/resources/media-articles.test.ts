import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { photo, uploaded } from '../media.js'
import { assertProblem } from '../problems.js'

// Articles and the images they use: an image an article's body shows counts as in use, as its
// featured image does, and a trashed article gets its image back when it is restored.

const admin = bearer(adminSecret)

t.test('an image a body shows is in use: deleting it is refused, naming the article, until the body lets go of it', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const image = await uploaded(app, t, { name: 'quay.jpg', data: await photo(700, 400) }, { alt: 'The quay' })
  const [smallest, largest] = [image.variants[0], image.variants.at(-1)]
  const body = `<p>Before.</p><figure><img src="${largest.url}" srcset="${image.srcset}" sizes="(max-width: 40rem) 100vw, 40rem" alt="The quay" width="${image.width}" height="${image.height}"><figcaption>The quay</figcaption></figure>`
  const article = await createArticle(app, t, { authorId: author.id, body })
  t.match(article.body, `srcset="${image.srcset}"`, 'the sanitiser keeps the srcset of our own image')
  t.match(article.body, 'sizes="(max-width: 40rem) 100vw, 40rem"', 'and its sizes')
  t.equal(article.featuredImage, null, 'an image in the body is not the featured image')

  const refused = await request(app, t, { method: 'DELETE', url: `/v1/media/${image.id}`, headers: admin })
  const problem = assertProblem(t, refused, 409, 'conflict')
  t.match(problem.detail, `article ${article.id} (inline)`, 'the refusal names the article and how it uses the image')

  const edited = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { body: `<p>Now only the small one: <img src="${smallest.url}" alt="The quay"></p>` } })
  t.equal(edited.statusCode, 200)
  assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/media/${image.id}`, headers: admin }), 409, 'conflict')

  t.equal((await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { body: '<p>No image.</p>' } })).statusCode, 200)
  const deleted = await request(app, t, { method: 'DELETE', url: `/v1/media/${image.id}`, headers: admin })
  t.equal(deleted.statusCode, 204, 'once no body shows it, it is deleted')
  t.equal((await app.inject({ method: 'GET', url: largest.url })).statusCode, 404, 'and its files with it')
})

t.test('a trashed article comes back with its featured image and still counts its inline image in use', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const lead = await uploaded(app, t, { name: 'lead.jpg', data: await photo(640, 360) }, { alt: 'Lead' })
  const inline = await uploaded(app, t, { name: 'inline.jpg', data: await photo(320, 240) }, { alt: 'Inline' })
  const article = await createArticle(app, t, { authorId: author.id, featuredImage: lead.id, body: `<p><img src="${inline.url}" alt="Inline"></p>` })
  t.equal(article.featuredImage.id, lead.id)

  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: admin })).statusCode, 204)
  const restored = await request(app, t, { method: 'POST', url: `/v1/trash/${article.id}/restore`, headers: admin })
  t.equal(restored.statusCode, 200)
  t.equal(restored.json().featuredImage?.id, lead.id, 'the featured image is back')
  const detail = assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/media/${inline.id}`, headers: admin }), 409, 'conflict').detail
  t.match(detail, `article ${article.id} (inline)`, 'the inline image is in use again')
})

t.test('an image deleted while its article was in the trash: the article comes back without it', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const lead = await uploaded(app, t, { name: 'lead.jpg', data: await photo(640, 360) })
  const article = await createArticle(app, t, { authorId: author.id, featuredImage: lead.id })
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: admin })).statusCode, 204)
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/media/${lead.id}`, headers: admin })).statusCode, 204, 'a trashed article does not hold its image')
  const restored = await request(app, t, { method: 'POST', url: `/v1/trash/${article.id}/restore`, headers: admin })
  t.equal(restored.statusCode, 200)
  t.equal(restored.json().featuredImage, null)
})

t.test('the change log follows the library: an upload, its edits and its deletion; the uploader sees its own, other authors none', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const other = await createAuthor(app, t, { name: 'Other Desk' })
  const ownToken = await tokenFor(app, 'author', author.id)
  const otherToken = await tokenFor(app, 'author', other.id)
  const image = await uploaded(app, t, { name: 'ferry.jpg', data: await photo(400, 300) }, {}, ownToken)
  t.equal((await request(app, t, { method: 'PATCH', url: `/v1/media/${image.id}`, headers: bearer(ownToken), payload: { alt: 'The ferry', focalPoint: { x: 0.2, y: 0.5 } } })).statusCode, 200)
  t.equal((await request(app, t, { method: 'PATCH', url: `/v1/media/${image.id}`, headers: bearer(ownToken), payload: { alt: 'The ferry' } })).statusCode, 200)
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/media/${image.id}`, headers: bearer(ownToken) })).statusCode, 204)

  const entries = async (headers: Record<string, string>) =>
    ((await request(app, t, { method: 'GET', url: '/v1/changes?resource=media', headers })).json().data as Array<{ id: string, kind: string, fields: string[] }>)
      .map(({ id, kind, fields }) => ({ id, kind, fields }))
  const expected = [
    { id: String(image.id), kind: 'created', fields: ['url', 'width', 'height', 'alt', 'caption', 'credit', 'srcset', 'sources', 'placeholder', 'dominantColor', 'focalPoint'] },
    { id: String(image.id), kind: 'updated', fields: ['alt', 'focalPoint'] },
    { id: String(image.id), kind: 'updated', fields: [] },
    { id: String(image.id), kind: 'deleted', fields: [] }
  ]
  t.same(await entries(admin), expected, 'editors see every entry, each with the fields it wrote')
  t.same(await entries(bearer(ownToken)), expected, 'the uploader sees its own')
  t.same(await entries(bearer(otherToken)), [], 'another author none')
  t.same(await entries({}), [], 'nor does a reader without a token')
})
