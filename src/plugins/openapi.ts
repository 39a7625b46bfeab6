import { readFileSync } from 'node:fs'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { withExamples } from '../lib/openapi-examples.js'

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

export const apiDescription = `Dateline keeps a news blog's articles, the days they appear under, their authors and
readers' comments, and serves them as JSON.

* **Reading** needs no token: anonymous readers see published articles and public author profiles.
* **Writing** needs \`Authorization: Bearer <token>\`; a token's role is \`admin\`, \`editor\` or \`author\`.
* **Previews**: a preview link's token (\`dlp_…\`, from \`POST /v1/articles/{id}/preview\`) reads that one article, draft or scheduled, and gives nothing more.
* **Lists** answer \`{ data, meta }\` and page with \`limit\` and \`offset\` or \`cursor\` (\`meta.nextCursor\`); the \`Link\` header has the next and previous pages.
* **Caching**: every answer has an \`ETag\`; send it back in \`If-None-Match\` for a 304, or in \`If-Match\` on \`PATCH\`/\`DELETE\` to refuse lost updates (412).
* **Errors** are RFC 9457 \`application/problem+json\`; \`errors[]\` names each bad field.`

// Each installation serves its own API: a relative URL is the server this document came from.
// `x-internal: false` says it is a public API (OWASP API9, inventory); the types know no `x-` keys.
const thisServer = { url: '/', description: 'The Dateline server that serves this document (local, staging or production alike)', 'x-internal': false }

/**
 * What a route's schema says when its body may be left out (`x-optional-body: true`): Fastify
 * validates a body declared under `content` only when one is sent, but @fastify/swagger marks
 * every body required. The mark becomes `requestBody.required: false` and leaves the document.
 */
const optionalBodyMark = 'x-optional-body'

function withOptionalBodies<T extends object> (document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths ?? {}
  for (const operation of Object.values(paths).flatMap((item) => Object.values(item))) {
    if (operation[optionalBodyMark] !== true) continue
    delete operation[optionalBodyMark]
    const body = operation.requestBody as { required?: boolean } | undefined
    if (body !== undefined) body.required = false
  }
  return document
}

const swaggerLogoStyleHash = 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='

/** The OpenAPI 3.1 document, generated from the route schemas, and the docs page at /docs. */
export default fp(async function openapiPlugin (app) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Dateline API',
        version: packageJson.version,
        description: apiDescription,
        // The project's own namespace, as in the problem `type` URIs; every installation also serves these docs at /docs.
        contact: { name: 'Dateline maintainers', url: 'https://dateline.dev/' }
      },
      servers: [thisServer],
      tags: [
        { name: 'articles', description: 'Articles: the posts of the blog' },
        { name: 'authors', description: 'The people who write them' },
        { name: 'dates', description: 'The days articles appear under, and the archive' },
        { name: 'comments', description: 'Readers\' comments and their moderation' },
        { name: 'corrections', description: 'Each article\'s public, timestamped corrections, and the site-wide log of them' },
        { name: 'labels', description: 'The labels articles carry' },
        { name: 'pages', description: 'Static pages: about, contact, masthead; no date, not in feeds' },
        { name: 'media', description: 'Images: uploaded, checked and resized into responsive variants, served from `/media/…`, and embedded in articles as their featured image' },
        { name: 'redirects', description: 'Where the front end\'s paths have moved: old slugs of articles and the redirects editors keep' },
        { name: 'batch', description: 'Several writes as one transaction: all of them, or none' },
        { name: 'changes', description: 'What changed, in order: for mirrors, caches and search services to follow' },
        { name: 'search', description: 'Search-box completions (full-text search is `q` on articles)' },
        { name: 'trash', description: 'Deleted articles, restorable until they are purged' },
        { name: 'tokens', description: 'API tokens: admins only' },
        { name: 'webhooks', description: 'Signed deliveries of changes to other systems, and their delivery logs: admins only' },
        { name: 'feeds', description: 'Atom, RSS and JSON feeds of the latest articles, and the sitemap' },
        { name: 'import', description: 'Import from Blogger, WordPress or Dateline exports; export everything as NDJSON' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'root', description: 'Where things are: links to the docs, the OpenAPI document and the API\'s collections' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token made with `dateline token create` (or `DATELINE_ADMIN_TOKEN`); or a preview link\'s token, which reads its one article' }
        }
      }
    },
    // An example for every answer, deprecated parameters marked (lib/openapi-examples.ts), optional bodies.
    transformObject: (documents) => withOptionalBodies(withExamples('openapiObject' in documents ? documents.openapiObject : documents.swaggerObject)),
    // Components are named after their $id instead of def-0, def-1…
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Swagger UI's top-bar logo is an SVG with an inline <style>; allow exactly that one
    // (the docs-browser test fails on any CSP error, so a changed logo shows up there).
    transformStaticCSP: (header) => header.replace("style-src 'self' https:", `style-src 'self' https: '${swaggerLogoStyleHash}'`),
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0, tryItOutEnabled: false }
  })

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type('application/yaml; charset=utf-8').send(app.swagger({ yaml: true }))
  })
}, { name: 'dateline-openapi' })
