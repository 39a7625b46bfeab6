import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { adminSecret, bearer, build, request } from './helper.js'

// /docs shows these examples, and "Try it out" sends the parameter examples as they are:
// they must be true of the demo blog a fresh install serves.

type Json = Record<string, any>
const httpMethods = ['get', 'head', 'post', 'put', 'patch', 'delete']

interface Operation { method: string, path: string, operation: Json }

function operationsOf (document: Json): Operation[] {
  return Object.entries<Json>(document.paths).flatMap(([path, item]) =>
    Object.entries<Json>(item).filter(([method]) => httpMethods.includes(method)).map(([method, operation]) => ({ method, path, operation })))
}

function validatorFor (document: Json): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  ajv.addSchema({ ...document, $id: 'openapi' })
  return ajv
}

const pointer = (...segments: string[]) => segments.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')

function exampleOfParameter (parameter: Json): unknown {
  return parameter.example ?? Object.values<Json>(parameter.examples ?? {})[0]?.value
}

// No demo content to name: the trash is empty (of articles and pages), no article or page has been revised, no token is stored, and no image uploaded.
const pathParametersWithoutExamples = new Set(['/v1/trash/{id} id', '/v1/trash/{id}/restore id', '/v1/trash/pages/{id} id', '/v1/trash/pages/{id}/restore id', '/v1/articles/{id}/revisions/{number} number', '/v1/articles/{id}/revisions/{number}/restore number', '/v1/pages/{id}/revisions/{number} number', '/v1/pages/{id}/revisions/{number}/restore number', '/v1/tokens/{id} id', '/v1/webhooks/{id} id', '/v1/webhooks/{id}/secret id', '/v1/webhooks/{id}/deliveries id', '/v1/webhooks/{id}/deliveries/{deliveryId} id', '/v1/webhooks/{id}/deliveries/{deliveryId} deliveryId', '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver id', '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver deliveryId', '/v1/media/{id} id', '/v1/articles/{id}/previews/{previewId} previewId'])

// Times the seed sets when it runs (the examples date them like the demo's articles), and what
// each install makes of its images: the random key in their URLs, and what the encoder
// computed (a placeholder, a colour), which a newer libvips may compute a little differently.
const times = new Set(['createdAt', 'updatedAt'])
const encoderComputed = new Set(['placeholder', 'dominantColor'])
function withoutTimes (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes)
  if (typeof value === 'string') return value.replace(/\/media\/[0-9a-f]{20}\//g, '/media/{key}/')
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).filter(([key]) => !times.has(key) && !encoderComputed.has(key)).map(([key, inner]) => [key, withoutTimes(inner)]))
}

async function demoApp (t: Parameters<typeof build>[0]): Promise<{ app: FastifyInstance, document: Json }> {
  const app = await build(t, { demo: true })
  return { app, document: app.swagger() as Json }
}

t.test('every answer of every operation has an example, valid against its schema', async (t) => {
  const { document } = await demoApp(t)
  const ajv = validatorFor(document)
  let checked = 0
  for (const { method, path, operation } of operationsOf(document)) {
    for (const [status, response] of Object.entries<Json>(operation.responses)) {
      for (const [mediaType, media] of Object.entries<Json>(response.content ?? {})) {
        const where = `${method.toUpperCase()} ${path} ${status} ${mediaType}`
        t.ok(media.example !== undefined, `${where} has an example`)
        if (media.example === undefined) continue
        const validate = ajv.compile({ $ref: `openapi#/${pointer('paths', path, method, 'responses', status, 'content', mediaType, 'schema')}` })
        t.ok(validate(media.example), `${where}: the example matches the schema`, { errors: validate.errors })
        if (mediaType === 'application/problem+json') t.equal(media.example.status, Number(status), `${where}: the problem example has status ${status}`)
        checked++
      }
    }
  }
  t.ok(checked > 100, `examples checked: ${checked}`)
})

t.test('every example a component carries is valid against it', async (t) => {
  const { document } = await demoApp(t)
  const ajv = validatorFor(document)
  for (const [name, schema] of Object.entries<Json>(document.components.schemas)) {
    const validate = ajv.compile({ $ref: `openapi#/components/schemas/${name}` })
    for (const example of schema.examples ?? []) t.ok(validate(example), `the ${name} example matches ${name}`, { errors: validate.errors })
  }
})

t.test('list examples are pages that could be: total covers the page, the cursor is one the API gives or null', async (t) => {
  const { document } = await demoApp(t)
  for (const [name, schema] of Object.entries<Json>(document.components.schemas)) {
    for (const example of schema.examples ?? []) {
      if (example?.meta === undefined) continue
      if (example.meta.total === undefined) {
        // A page of the change log: its entries lie between since and nextSince, at most at the head.
        const { since, nextSince, head, limit } = example.meta
        t.ok(example.data.every((entry: Json) => entry.position > since && entry.position <= nextSince), `${name}: entries after since, up to nextSince`)
        t.ok(nextSince <= head && example.data.length <= limit, `${name}: nextSince at most the head, no more entries than limit`)
        continue
      }
      const { total, limit, offset, nextCursor } = example.meta
      t.ok(total >= offset + example.data.length, `${name}: total ${total} covers offset ${offset} + ${example.data.length} items`)
      t.ok(example.data.length <= limit, `${name}: no more items than limit`)
      t.equal(nextCursor === null, offset + example.data.length >= total, `${name}: nextCursor is null exactly on the last page`)
      if (nextCursor !== null) t.match(nextCursor, /^[A-Za-z0-9_-]{16,}$/, `${name}: nextCursor looks like a cursor`)
    }
  }
})

t.test('optional query parameters carry no example: /docs "Try it out" would send it as a filter', async (t) => {
  const { document } = await demoApp(t)
  for (const { method, path, operation } of operationsOf(document)) {
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in !== 'query' || parameter.required === true) continue
      t.equal(exampleOfParameter(parameter) ?? parameter.schema?.examples, undefined, `${method.toUpperCase()} ${path}: ?${parameter.name} has no example`)
    }
  }
})

t.test('path examples name things of the demo blog: a read of each answers 200', async (t) => {
  const { app, document } = await demoApp(t)
  let read = 0
  for (const { method, path, operation } of operationsOf(document)) {
    const parameters: Json[] = (operation.parameters ?? []).filter((parameter: Json) => parameter.in === 'path')
    for (const parameter of parameters) {
      if (exampleOfParameter(parameter) !== undefined) continue
      t.ok(pathParametersWithoutExamples.has(`${path} ${parameter.name}`), `${method.toUpperCase()} ${path}: {${parameter.name}} has an example`)
    }
    if (method !== 'get' || parameters.length === 0 || parameters.some((parameter) => exampleOfParameter(parameter) === undefined)) continue
    // Each example of each parameter (an id and a slug), the others at their first.
    const urls = new Set<string>()
    for (const varied of parameters) {
      const values = (parameter: Json): unknown[] => parameter === varied ? Object.values<Json>(varied.examples ?? {}).map((example) => example.value).concat(varied.example ?? []) : [exampleOfParameter(parameter)]
      for (const value of values(varied)) {
        urls.add(parameters.reduce((url, parameter) => url.replace(`{${parameter.name}}`, encodeURIComponent(String(parameter === varied ? value : values(parameter)[0]))), path))
      }
    }
    for (const url of urls) {
      const response = await request(app, t, { method: 'GET', url, headers: bearer(adminSecret) })
      t.equal(response.statusCode, 200, `GET ${url} answers 200`)
      read++
    }
  }
  t.ok(read >= 8, `reads made: ${read}`)
})

t.test('the examples are the demo blog\'s own answers (times and image keys aside)', async (t) => {
  const { app, document } = await demoApp(t)
  const example = (name: string) => document.components.schemas[name].examples[0]
  const get = async (url: string) => (await request(app, t, { method: 'GET', url })).json()
  const article = example('Article')
  t.same(withoutTimes(await get(`/v1/articles/${article.id}`)), withoutTimes(article), 'Article')
  const author = example('Author')
  t.same(withoutTimes(await get(`/v1/authors/${author.slug}`)), withoutTimes(author), 'Author')
  const list = example('ArticleList')
  t.same(withoutTimes(await get(`/v1/articles?limit=${list.meta.limit}&offset=${list.meta.offset}`)), withoutTimes(list), 'ArticleList: the same page, cursor included')
  const authors = example('AuthorList')
  t.same(withoutTimes((await get(`/v1/authors?limit=${authors.meta.limit}&offset=${authors.meta.offset}`)).data), withoutTimes(authors.data), 'AuthorList')
  t.same(await get('/v1/labels'), example('LabelList'), 'LabelList')
  t.same(await get('/v1/archive'), example('Archive'), 'Archive')
  const day = example('Day')
  const { articles: _, ...dayPage } = await get(`/v1/dates/${day.date}`)
  t.same(dayPage, day, 'Day')
  const days = example('DayList')
  t.same(await get(`/v1/dates?limit=${days.meta.limit}&offset=${days.meta.offset}`), days, 'DayList')
  const comments = example('CommentList')
  const flat = await get(`/v1/articles/${article.id}/comments?limit=${comments.meta.limit}`)
  t.same(withoutTimes(flat.data), withoutTimes(comments.data), 'CommentList: the same comments')
  t.equal(flat.meta.total, comments.meta.total, 'CommentList: the same total')
  const threads = example('CommentThreadList')
  const threaded = await get(`/v1/articles/${article.id}/comments/thread`)
  const firstReplyOnly = (thread: Json) => ({ ...thread, replies: thread.replies.slice(0, 1).map((reply: Json) => ({ ...reply, replies: [] })) })
  t.same(withoutTimes(threaded.data.map(firstReplyOnly)), withoutTimes(threads.data), 'CommentThreadList: the same thread, cut after its first reply')
  t.equal(threaded.meta.total, threads.meta.total, 'CommentThreadList: the same total')
  const corrections = example('CorrectionList')
  t.same(await get(`/v1/articles/${article.id}/corrections`), corrections, 'CorrectionList: the demo article\'s correction, dated on the demo\'s timeline')
  const log = example('CorrectionLog')
  t.same(await get(`/v1/corrections?limit=${log.meta.limit}`), log, 'CorrectionLog')
  const suggestions = example('SuggestionList')
  t.same((await get(`/v1/search/suggest?q=${encodeURIComponent(suggestions.data[0].title.split(' ').slice(0, 3).join(' '))}`)).data.slice(0, 1), suggestions.data, 'SuggestionList')
})
