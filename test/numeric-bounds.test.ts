// Issue 15, item 6: `limit=1e309` reached SQLite as Infinity and answered 500 on every list.
import t from 'tap'
import { adminSecret, bearer, build } from './helper.js'

type Schema = Record<string, any>

const numericTypes = ['integer', 'number']

function isNumeric (schema: Schema): boolean {
  const types: unknown[] = Array.isArray(schema.type) ? schema.type : [schema.type]
  return types.some((type) => numericTypes.includes(type as string))
}

/** Every numeric schema under `schema` without a finite minimum and maximum, by where it is. */
function unbounded (schema: unknown, where: string, components: Record<string, Schema>, seen = new Set<string>()): string[] {
  if (schema === null || typeof schema !== 'object') return []
  const s = schema as Schema
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!
    if (seen.has(name)) return []
    return unbounded(components[name], `${where}>${name}`, components, new Set([...seen, name]))
  }
  const found = isNumeric(s) && !(Number.isFinite(s.minimum) && Number.isFinite(s.maximum)) ? [where] : []
  for (const [name, property] of Object.entries<unknown>(s.properties ?? {})) found.push(...unbounded(property, `${where}.${name}`, components, seen))
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) found.push(...unbounded(branch, where, components, seen))
  if (s.items !== undefined) found.push(...unbounded(s.items, `${where}[]`, components, seen))
  if (typeof s.additionalProperties === 'object') found.push(...unbounded(s.additionalProperties, `${where}{}`, components, seen))
  return found
}

interface Operation { method: string, path: string, operation: Schema }

function operationsOf (document: Schema): Operation[] {
  return Object.entries<Schema>(document.paths).flatMap(([path, item]) =>
    Object.entries<Schema>(item).filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({ method, path, operation })))
}

t.test('every number a client sends has a finite minimum and maximum in the document', async (t) => {
  const app = await build(t)
  const document = app.swagger() as Schema
  const components = document.components.schemas as Record<string, Schema>
  const missing: string[] = []
  for (const { method, path, operation } of operationsOf(document)) {
    for (const parameter of operation.parameters ?? []) missing.push(...unbounded(parameter.schema, `${method} ${path} ${parameter.in}.${parameter.name}`, components))
    for (const [type, content] of Object.entries<Schema>(operation.requestBody?.content ?? {})) missing.push(...unbounded(content.schema, `${method} ${path} body (${type})`, components))
  }
  t.same(missing, [], 'no integer or number parameter or body property is unbounded')
})

const extremes = ['1e309', '-1e309', 'NaN', 'Infinity', '-Infinity', '1e20', '100000000000000000000']

t.test('an extreme number in any query or path parameter is a 400 naming it', async (t) => {
  const app = await build(t)
  const document = app.swagger() as Schema
  const gets = operationsOf(document).filter(({ method }) => method === 'get')
  let lists = 0
  for (const { path, operation } of gets) {
    const parameters = (operation.parameters ?? []) as Schema[]
    if (parameters.some((parameter) => parameter.name === 'limit')) lists++
    for (const parameter of parameters.filter((candidate) => candidate.in !== 'header' && isNumeric(candidate.schema ?? {}))) {
      for (const value of extremes) {
        const concrete = path.replace(/\{([^}]+)\}/g, (_match, name: string) => (name === parameter.name && parameter.in === 'path' ? encodeURIComponent(value) : '1'))
        const url = parameter.in === 'query' ? `${concrete}?${parameter.name}=${encodeURIComponent(value)}` : concrete
        const response = await app.inject({ method: 'GET', url, headers: bearer(adminSecret) })
        const context = parameter.in === 'query' ? 'querystring' : 'params'
        // A path pattern of digits (the sitemap's pages) leaves other values to the 404.
        if (parameter.in === 'path' && response.statusCode === 404 && !/^\d+$/.test(value)) continue
        t.equal(response.statusCode, 400, `GET ${url} is refused`)
        t.match(response.headers['content-type'], /^application\/problem\+json/)
        t.equal(response.json().errors?.[0]?.path, `${context}.${parameter.name}`, `GET ${url} names ${parameter.name}`)
      }
    }
  }
  // authors, articles, related, comments, revisions, dates, labels, tokens, trash at least.
  t.ok(lists >= 9, `every list was tried (${lists})`)
})

t.test('an extreme number in a JSON body is a 400 naming the field', async (t) => {
  const app = await build(t)
  for (const raw of ['1e309', '-1e309', '1e20']) {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: { ...bearer(adminSecret), 'content-type': 'application/json' },
      payload: `{"title":"Bounds","body":"Text","authorId":${raw}}`
    })
    t.equal(response.statusCode, 400, `authorId ${raw} is refused`)
    t.equal(response.json().errors?.[0]?.path, 'body.authorId')
  }
})
