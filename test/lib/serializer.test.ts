import SerializerSelector from '@fastify/fast-json-stringify-compiler'
import { test } from 'tap'
import { sharedSchemas, Type } from '../../src/schemas.js'
import { withTypeLists } from '../../src/lib/serializer.js'
import { Article, articleSchemas } from '../../src/resources/articles/schemas.js'
import { authorSchemas } from '../../src/resources/authors/schemas.js'
import { commentSchemas } from '../../src/resources/comments/schemas.js'
import { correctionSchemas } from '../../src/resources/corrections/schemas.js'
import { mediaSchemas } from '../../src/resources/media/schemas.js'
import { seoSchemas } from '../../src/resources/seo/schemas.js'
import { adminSecret, build } from '../helper.js'

const day = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', examples: [{ anyOf: 'not a schema' }] })

test('nullable values become type lists and unions of literals enums; nothing else changes', async (t) => {
  const schema = Type.Object({
    day: Type.Union([day, Type.Null()], { description: 'A day' }),
    status: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
    either: Type.Union([Type.String(), Type.Integer()]),
    list: Type.Array(Type.Union([Type.Integer(), Type.Null()]))
  })
  const simple = withTypeLists(schema) as Record<string, any>
  t.same(simple.properties.day, { type: ['string', 'null'], format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', examples: [{ anyOf: 'not a schema' }], description: 'A day' })
  t.same(simple.properties.status, { type: 'string', enum: ['draft', 'published'] })
  t.same(simple.properties.either, schema.properties.either, 'a union of two types is left to the validator')
  t.same(simple.properties.list.items, { type: ['integer', 'null'] })
  t.not(simple, schema, 'a copy: the OpenAPI document keeps the schema as written')
  t.ok('anyOf' in schema.properties.day)
})

test('an article serialises to the same JSON either way', async (t) => {
  const external = Object.fromEntries([...sharedSchemas, ...articleSchemas, ...authorSchemas, ...commentSchemas, ...correctionSchemas, ...mediaSchemas, ...seoSchemas].map((schema) => [(schema as { $id?: string }).$id ?? "", schema]))
  const compile = (schema: unknown) => SerializerSelector()(withTypeLists(external) as typeof external, {})({ schema: schema as object, method: 'GET', url: '/', httpStatus: '200' })
  const asWritten = compile(Article)
  const simplified = compile(withTypeLists(Article))
  const article = {
    id: 1, slug: 'a', title: 'A "quoted" title', excerpt: '', body: '<p>x</p>', status: 'draft', publishedAt: null, date: null, unpublishAt: null,
    authorId: 1, authorIds: [1], labels: ['News'], commentCount: 0, featuredImage: null, createdAt: '2026-06-25T14:03:00.000Z', updatedAt: '2026-06-25T14:03:00.000Z', correctedAt: null, corrections: [],
    seo: { title: 'A "quoted" SEO title', description: null, canonicalUrl: null, noindex: false, socialTitle: null, socialDescription: null, socialImage: null }
  }
  const image = {
    id: 3, url: '/media/4f9c2d7e1a0b3c5d6e7f/quay-640w.jpg', width: 640, height: 400, alt: 'The "quay"', caption: '', credit: 'Photo: A. Reyes',
    srcset: '/media/4f9c2d7e1a0b3c5d6e7f/quay-320w.jpg 320w, /media/4f9c2d7e1a0b3c5d6e7f/quay-640w.jpg 640w',
    sources: [{ type: 'image/webp', srcset: '/media/4f9c2d7e1a0b3c5d6e7f/quay-320w.webp 320w' }], placeholder: null, dominantColor: '#336699', focalPoint: { x: 0.5, y: 0.25 }
  }
  for (const value of [article, { ...article, status: 'published', publishedAt: '2026-06-25T14:03:00.000Z', date: '2026-06-25', featuredImage: image, seo: { ...article.seo, noindex: true, socialImage: image } }]) {
    t.equal(simplified(value), asWritten(value))
  }
})

test('the app serialises null timestamps and days as null', async (t) => {
  const app = await build(t)
  const headers = { authorization: `Bearer ${adminSecret}` }
  const author = await app.inject({ method: 'POST', url: '/v1/authors', headers, payload: { name: 'Ada' } })
  const created = await app.inject({ method: 'POST', url: '/v1/articles', headers, payload: { title: 'Draft', body: '<p>Soon</p>', authorId: author.json().id } })
  t.equal(created.statusCode, 201)
  const read = await app.inject({ url: `/v1/articles/${created.json().id}`, headers })
  t.equal(read.json().publishedAt, null)
  t.equal(read.json().date, null)
  t.equal(read.json().status, 'draft')
})

test('a full-or-fields answer is written with the full schema, a described reference as the reference', async (t) => {
  const answer = { anyOf: [{ $ref: 'Article' }, { $ref: 'ArticleFields' }], description: 'The article' }
  t.same(withTypeLists(answer), { $ref: 'Article', description: 'The article' }, 'no anyOf left for fast-json-stringify to validate per answer')
  t.same(withTypeLists({ anyOf: [{ $ref: 'Article' }, { $ref: 'Author' }] }), { anyOf: [{ $ref: 'Article' }, { $ref: 'Author' }] }, 'other unions are left as they are')
  const author = { allOf: [{ $ref: 'Author' }], description: 'With include=author' }
  t.same(withTypeLists(author), { $ref: 'Author', description: 'With include=author' })
  t.same(withTypeLists({ allOf: [{ $ref: 'Author' }, { type: 'object' }] }), { allOf: [{ $ref: 'Author' }, { type: 'object' }] }, 'an allOf of several is left as it is')
  t.ok('allOf' in (Article.properties.author as object), 'the document keeps the allOf, and with it the description')
})

test('the app writes normal answers in full and fields= answers with only those fields', async (t) => {
  const app = await build(t, { demo: true })
  const full = (await app.inject({ url: '/v1/articles/2?include=author' })).json()
  t.ok('body' in full && full.author?.slug === 'tomas-brennan', 'every field, and the author asked for')
  const sparse = (await app.inject({ url: '/v1/articles/2?fields=title&include=author' })).json()
  t.same(Object.keys(sparse).sort(), ['author', 'id', 'title'])
  t.same(sparse.author, full.author)
})
