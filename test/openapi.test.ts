import { readFileSync } from 'node:fs'
import { Validator } from '@seriousme/openapi-schema-validator'
import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { generateOpenApi } from '../src/cli/openapi.js'
import { bearer, build, createArticle, createAuthor, request } from './helper.js'

const root = new URL('../', import.meta.url)
const committedJson = readFileSync(new URL('openapi/openapi.json', root), 'utf8')
const committedYaml = readFileSync(new URL('openapi/openapi.yaml', root), 'utf8')
const packageVersion = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version

const writeMethods = ['post', 'patch', 'put', 'delete']
const httpMethods = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace']

interface Operation {
  method: string
  path: string
  operation: Record<string, any>
}

function operationsOf (document: Record<string, any>): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries<Record<string, any>>(document.paths ?? {})) {
    for (const [method, operation] of Object.entries<Record<string, any>>(item)) {
      if (httpMethods.includes(method)) operations.push({ method, path, operation })
    }
  }
  return operations
}

/** Every `$ref` under `node`, as the component name it points at. */
function refsUnder (node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) refsUnder(item, found)
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.add(value.replace('#/components/schemas/', ''))
      else refsUnder(value, found)
    }
  }
  return found
}

/** Components reachable from the operations, following references through components. */
function componentsReachedFromOperations (document: Record<string, any>): Set<string> {
  const reached = refsUnder(document.paths)
  const queue = [...reached]
  while (queue.length > 0) {
    const name = queue.pop()!
    for (const next of refsUnder(document.components?.schemas?.[name])) {
      if (!reached.has(next)) {
        reached.add(next)
        queue.push(next)
      }
    }
  }
  return reached
}

function objectsUnder (node: unknown, found: object[] = []): object[] {
  if (Array.isArray(node)) {
    for (const item of node) objectsUnder(item, found)
  } else if (node !== null && typeof node === 'object') {
    found.push(node)
    for (const value of Object.values(node)) objectsUnder(value, found)
  }
  return found
}

function sameJson (a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b))
}

function sortKeys (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]))
}

const document = JSON.parse(committedJson) as Record<string, any>

t.test('the committed openapi/ files are what the routes generate now', async (t) => {
  const generated = await generateOpenApi()
  t.equal(committedJson, generated.json, 'openapi/openapi.json is out of date: run npm run openapi')
  t.equal(committedYaml, generated.yaml, 'openapi/openapi.yaml is out of date: run npm run openapi')
  t.same(parseYaml(committedYaml), JSON.parse(committedJson), 'openapi.yaml and openapi.json describe the same document')
})

t.test('the document is a valid OpenAPI 3.1 document', async (t) => {
  const validator = new Validator()
  const result = await validator.validate(structuredClone(document))
  t.ok(result.valid, 'the OpenAPI schema validator accepts the document', { errors: result.errors })
  t.equal(validator.version, '3.1')
  t.equal(document.openapi, '3.1.0')
  t.equal(document.info?.version, packageVersion, 'info.version is package.json\'s version')
  t.ok(typeof document.info?.title === 'string' && document.info.title.length > 0, 'info.title is set')
})

t.test('every operation has a unique operationId, a summary and a declared tag', async (t) => {
  const operations = operationsOf(document)
  t.ok(operations.length >= 12, `the document has its operations (${operations.length})`)
  const declaredTags = new Set((document.tags ?? []).map((tag: { name: string }) => tag.name))
  const seen = new Map<string, string>()
  for (const { method, path, operation } of operations) {
    const where = `${method.toUpperCase()} ${path}`
    t.type(operation.operationId, 'string', `${where} has an operationId`)
    t.notOk(seen.has(operation.operationId), `${where}: operationId ${operation.operationId} is unique (also on ${seen.get(operation.operationId)})`)
    seen.set(operation.operationId, where)
    t.ok(typeof operation.summary === 'string' && operation.summary.trim().length > 0, `${where} has a summary`)
    t.ok(Array.isArray(operation.tags) && operation.tags.length > 0, `${where} has a tag`)
    for (const tag of operation.tags ?? []) t.ok(declaredTags.has(tag), `${where}: tag "${tag}" is declared in tags`)
  }
})

t.test('every write operation requires the bearer token, which is declared', async (t) => {
  t.same(document.components?.securitySchemes?.bearerAuth, {
    ...document.components?.securitySchemes?.bearerAuth,
    type: 'http',
    scheme: 'bearer'
  }, 'components.securitySchemes.bearerAuth is an HTTP bearer scheme')
  const writes = operationsOf(document).filter(({ method }) => writeMethods.includes(method))
  t.ok(writes.length >= 6, 'the document has write operations')
  // Readers comment without a token (the contract: "anyone may post a comment").
  const openToAnyone = new Set(['createComment'])
  for (const { method, path, operation } of writes) {
    if (openToAnyone.has(operation.operationId)) {
      t.same(operation.security, [{}, { bearerAuth: [] }], `${method.toUpperCase()} ${path} is open to anyone, a token optional`)
      continue
    }
    t.same(operation.security, [{ bearerAuth: [] }], `${method.toUpperCase()} ${path} requires bearerAuth`)
  }
})

/** The Problem component, or one with its members and extension members of its own (RFC 9457 §3.2: a failed batch's). */
function isProblem (name: string): boolean {
  const problem = document.components.schemas.Problem
  const schema = document.components.schemas[name]
  if (schema === undefined) return false
  return Object.entries<unknown>(problem.properties).every(([key, property]) => JSON.stringify(schema.properties?.[key]) === JSON.stringify(property)) &&
    JSON.stringify(schema.required) === JSON.stringify(problem.required)
}

t.test('every documented 4xx answer is a Problem as application/problem+json', async (t) => {
  let count = 0
  for (const { method, path, operation } of operationsOf(document)) {
    for (const [status, response] of Object.entries<Record<string, any>>(operation.responses ?? {})) {
      if (!/^4\d\d$/.test(status)) continue
      count++
      const where = `${method.toUpperCase()} ${path} ${status}`
      t.same(Object.keys(response.content ?? {}), ['application/problem+json'], `${where} is application/problem+json`)
      const ref: unknown = response.content?.['application/problem+json']?.schema?.$ref
      t.ok(typeof ref === 'string' && isProblem(ref.replace('#/components/schemas/', '')), `${where} references the Problem component, or one that extends it`, { ref })
    }
  }
  t.ok(count > 0, 'some 4xx answers are documented')
})

// The probes answer without looking at credentials (config.skipAuth).
const probes = new Set(['/healthz', '/readyz'])
const problemSchema = { $ref: '#/components/schemas/Problem' }

t.test('the document names the server it came from and a contact', async (t) => {
  t.same(document.servers?.map((server: { url: string }) => server.url), ['/'], 'one server, relative: the one that serves the document')
  t.equal(document.servers?.[0]?.['x-internal'], false, 'the server is declared public')
  t.match(document.info?.contact, { name: /\S/, url: /^https:\/\/\S+$/ }, 'info.contact has a name and a URL')
})

t.test('every operation documents a 500 problem, and where credentials are read a 401 and a 429 with Retry-After', async (t) => {
  for (const { method, path, operation } of operationsOf(document)) {
    const where = `${method.toUpperCase()} ${path}`
    const responses = operation.responses ?? {}
    t.same(responses['500']?.content?.['application/problem+json']?.schema, problemSchema, `${where} documents a 500 problem`)
    t.ok(responses['503'] !== undefined, `${where} documents a 503`)
    if (probes.has(path)) continue
    for (const status of ['401', '429']) t.same(responses[status]?.content?.['application/problem+json']?.schema, problemSchema, `${where} documents a ${status} problem`)
    for (const status of ['429', '503']) t.ok(responses[status]?.headers?.['Retry-After'] !== undefined, `${where} documents Retry-After on its ${status}`)
  }
})

t.test('a 429 from the bad-credential throttle, on any operation, is a documented answer', async (t) => {
  const app = await build(t)
  const guesser = '203.0.113.9'
  const badToken = bearer(`dl_${'x'.repeat(43)}`)
  for (let i = 0; i < 20; i++) await app.inject({ method: 'GET', url: '/v1/authors', remoteAddress: guesser, headers: badToken })
  // request() fails the test for a status or a Retry-After its operation does not document.
  const locked = await request(app, t, { method: 'GET', url: '/v1/authors', remoteAddress: guesser, headers: badToken })
  t.equal(locked.statusCode, 429)
  t.ok(locked.headers['retry-after'] !== undefined, 'it has Retry-After')
})

t.test('a route with its own rate limit documents the headers it sends, on its 2xx, 4xx and 429', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { status: 'published', authorId: author.id })
  const post = (i: number) => request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, remoteAddress: '203.0.113.10', payload: { authorName: 'Reader', body: `Comment ${i}` } })
  const created = await post(1)
  t.equal(created.statusCode, 201)
  for (let i = 2; i <= 5; i++) await post(i)
  const limited = await post(6)
  t.equal(limited.statusCode, 429)
  const invalid = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, remoteAddress: '203.0.113.11', payload: { body: 'No name' } })
  t.equal(invalid.statusCode, 400)
  const sent = (response: { headers: Record<string, unknown> }) => Object.keys(response.headers).filter((name) => /^(?:retry-after|x-ratelimit-)/.test(name)).sort()
  t.same(sent(created), ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'], 'the 201 has the rate-limit headers')
  t.same(sent(limited), ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'], 'the 429 has them and Retry-After')
  t.same(sent(invalid), sent(created), 'so has a 400')
  const responses = operationsOf(document).find(({ operation }) => operation.operationId === 'createComment')!.operation.responses
  const documented = (status: string) => Object.keys(responses[status]?.headers ?? {}).map((name) => name.toLowerCase())
  for (const name of sent(created)) t.ok(documented('201').includes(name), `the 201 documents ${name}`)
  for (const name of sent(limited)) t.ok(documented('429').includes(name), `the 429 documents ${name}`)
  for (const name of sent(invalid)) t.ok(documented('400').includes(name), `the 400 documents ${name}`)
})

t.test('components are named after their $id and referenced, not copied', async (t) => {
  const names = Object.keys(document.components?.schemas ?? {})
  t.same(names.filter((name) => /^def-\d+$/.test(name)), [], 'no component is named def-N')
  const reached = componentsReachedFromOperations(document)
  const inlined = objectsUnder(document.paths)
  for (const name of ['Article', 'ArticleList', 'Author', 'AuthorList', 'Problem', 'ListMeta']) {
    const component = document.components?.schemas?.[name]
    t.ok(component, `${name} is a component`)
    t.ok(reached.has(name), `${name} is referenced from the operations`)
    t.notOk(inlined.some((schema) => sameJson(schema, component)), `no operation carries an inline copy of ${name}`)
  }
  const dangling = [...refsUnder(document)].filter((name) => !name.startsWith('#') && document.components?.schemas?.[name] === undefined)
  t.same(dangling, [], 'every $ref points at an existing component')
  t.same(objectsUnder(document.paths).filter((schema) => '$id' in schema).length, 0, 'no $id is left in the operations')
})

t.test('the document describes what a typed client gets, with no answer whose shape a parameter changes', async (t) => {
  const operation = (id: string) => operationsOf(document).find(({ operation }) => operation.operationId === id)!.operation
  const okSchema = (id: string) => operation(id).responses['200'].content['application/json'].schema
  const schemas = document.components.schemas
  t.same(okSchema('listArticleComments'), { $ref: '#/components/schemas/CommentList' }, 'the flat comment list answers CommentList')
  t.same(okSchema('listArticleCommentThread'), { $ref: '#/components/schemas/CommentThreadList' }, 'the threaded list answers CommentThreadList')
  const thread = operation('listArticleComments').parameters.find((parameter: { name: string }) => parameter.name === 'thread')
  t.equal(thread.deprecated, true, 'thread= is a deprecated parameter')
  t.match(thread.description, /comments\/thread/, 'which names the path to use')
  t.notOk(operation('listArticleCommentThread').parameters.some((parameter: { name: string }) => parameter.name === 'thread'), 'the threaded list takes no thread=')
  for (const [id, full] of [['getArticle', 'Article'], ['listArticles', 'ArticleList'], ['getAuthor', 'Author'], ['listAuthors', 'AuthorList']] as const) {
    t.same(okSchema(id).anyOf, [{ $ref: `#/components/schemas/${full}` }, { $ref: `#/components/schemas/${full}Fields` }], `${id}: the full answer, or the fields= one`)
  }
  for (const sparse of ['ArticleFields', 'AuthorFields']) {
    t.same(schemas[sparse].required, ['id'], `${sparse} requires only id`)
    t.same(Object.keys(schemas[sparse].properties).sort(), Object.keys(schemas[sparse.replace('Fields', '')].properties).sort(), `${sparse} has every property`)
  }
  for (const [path, method] of [['/v1/articles/{id}', 'get'], ['/v1/authors/{id}', 'patch'], ['/v1/articles/{id}/comments', 'post'], ['/v1/trash/{id}', 'get']] as const) {
    const id = document.paths[path][method].parameters.find((parameter: { in: string }) => parameter.in === 'path')
    t.same(id.schema.type, ['integer', 'string'], `${method.toUpperCase()} ${path}: {id} is a number or a slug`)
  }
  for (const path of ['/v1/comments/{id}', '/v1/tokens/{id}']) {
    for (const item of Object.values<Record<string, any>>(document.paths[path])) {
      t.equal(item.parameters.find((parameter: { in: string }) => parameter.in === 'path').schema.type, 'integer', `${path}: {id} is an integer`)
    }
  }
  for (const [component, embedded, include] of [['Article', 'author', 'include=author'], ['Article', 'comments', 'include=comments'], ['ArticleSummary', 'author', 'include=articles'], ['Author', 'articles', 'include=articles'], ['Day', 'articles', 'include=articles']] as const) {
    t.notOk(schemas[component].required.includes(embedded), `${component}.${embedded} is optional`)
    t.match(schemas[component].properties[embedded].description, include, `${component}.${embedded} says ${include} brings it`)
  }
})

t.test('the app serves the document as JSON and YAML', async (t) => {
  const app = await build(t)
  const json = await request(app, t, { method: 'GET', url: '/openapi.json' })
  t.equal(json.statusCode, 200)
  t.match(json.headers['content-type'], /^application\/json/)
  t.same(json.json(), app.swagger(), '/openapi.json is the generated document')
  t.same(json.json(), document, '/openapi.json is the committed document')
  const yaml = await request(app, t, { method: 'GET', url: '/openapi.yaml' })
  t.equal(yaml.statusCode, 200)
  t.match(yaml.headers['content-type'], /^application\/(yaml|x-yaml)/)
  t.same(parseYaml(yaml.body), json.json(), '/openapi.yaml parses to the same document as /openapi.json')
})

t.test('GET /docs answers the docs page, and its assets are served by the app itself', async (t) => {
  const app = await build(t)
  let url = '/docs'
  let response = await request(app, t, { method: 'GET', url })
  for (let hops = 0; hops < 3 && response.statusCode >= 300 && response.statusCode < 400; hops++) {
    url = new URL(String(response.headers.location), `http://localhost${url}`).pathname
    response = await request(app, t, { method: 'GET', url })
  }
  t.equal(response.statusCode, 200, `${url} answers 200`)
  t.match(response.headers['content-type'], /^text\/html/)
  t.match(response.body, /<div id="swagger-ui">/)

  const page = new URL(url, 'http://localhost')
  const assets = [...response.body.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!)
  t.ok(assets.some((asset) => asset.endsWith('.js')), 'the page loads scripts')
  t.ok(assets.some((asset) => asset.endsWith('.css')), 'the page loads style sheets')
  for (const asset of assets) {
    const target = new URL(asset, page)
    t.equal(target.origin, page.origin, `${asset} is on the app's own origin`)
    const served = await request(app, t, { method: 'GET', url: target.pathname })
    t.equal(served.statusCode, 200, `${target.pathname} is served by the app`)
    t.ok(served.rawPayload.length > 0, `${target.pathname} is not empty`)
  }

  // The page's script fetches the document next to it (swagger-ui's `url: './json'`).
  const initializer = await request(app, t, { method: 'GET', url: new URL('static/swagger-initializer.js', new URL(`${page.pathname.replace(/\/?$/, '/')}`, page)).pathname })
  t.equal(initializer.statusCode, 200)
  // swagger-ui's default online-validator badge would load an image from validator.swagger.io.
  t.match(initializer.body, /validatorUrl:\s*null/, 'the online validator badge is off')
  t.notMatch(initializer.body, /"validatorUrl"\s*:\s*"/, 'no validator host is configured')
  t.notMatch(initializer.body, /\b(?:url|src|href)\s*[:=]\s*['"]https?:/, 'the initializer loads nothing from an absolute URL')
  const docsJson = await request(app, t, { method: 'GET', url: new URL('json', new URL(`${page.pathname.replace(/\/?$/, '/')}`, page)).pathname })
  t.equal(docsJson.statusCode, 200)
  t.same(docsJson.json(), app.swagger(), 'the docs page reads the same document')
})
