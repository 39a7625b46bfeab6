import { correctionExamples, feedExamples } from '../../demo/examples.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { readSecurity } from '../../lib/responses.js'
import { NoQuery, problems, ref, Type } from '../../schemas.js'
import { atomFeed, correctionsAtomFeed, jsonFeed, rssFeed } from './formats.js'
import { FeedQuery, JsonFeed, SitemapPageParams } from './schemas.js'
import * as service from './service.js'
import { originOf } from '../../lib/request-origin.js'

const tags = ['feeds']

// Feeds are the same for everyone, so caches may keep them a while; readers poll.
const feedCacheControl = 'public, max-age=300'

const cacheHeaders = {
  ETag: { type: 'string', description: 'The version of this document, for `If-None-Match`' },
  'Last-Modified': { type: 'string', description: 'When the newest article in it changed, for `If-Modified-Since`' },
  'Cache-Control': { type: 'string', description: `\`${feedCacheControl}\`` }
}

/** A 200 answer of `mediaType`, documented as text (the test helper and clients see a string). */
function xmlAnswer (mediaType: string, description: string, example: string) {
  return { description, headers: cacheHeaders, content: { [mediaType]: { schema: { type: 'string' }, example } } }
}

const unchanged = Type.Null({ description: 'Not modified: the `If-None-Match` ETag is current, or nothing changed since `If-Modified-Since`' })

/** Whether `If-Modified-Since` says the client has the version last modified at `lastModified` (RFC 9110 §13.1.3). */
function unchangedSince (ifModifiedSince: string | undefined, lastModified: string): boolean {
  if (ifModifiedSince === undefined) return false
  const since = Date.parse(ifModifiedSince)
  return !Number.isNaN(since) && Date.parse(lastModified) <= since
}

/**
 * After http-cache's onSend (ETag, If-None-Match): public caching whoever asks, and
 * If-Modified-Since, which counts only without If-None-Match (RFC 9110 §13.2.2).
 */
async function conditionalGet (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (reply.statusCode !== 200 && reply.statusCode !== 304) return payload
  reply.header('cache-control', feedCacheControl)
  if (reply.statusCode !== 200 || request.headers['if-none-match'] !== undefined) return payload
  const lastModified = reply.getHeader('last-modified')
  if (typeof lastModified !== 'string' || !unchangedSince(request.headers['if-modified-since'], lastModified)) return payload
  reply.code(304)
  reply.removeHeader('content-type')
  reply.removeHeader('content-length')
  return ''
}

/** HTTP dates have whole seconds. */
function httpDate (timestamp: string): string {
  return new Date(timestamp).toUTCString()
}

const feedsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // What an empty feed says it last changed at.
  const startedAt = new Date().toISOString()
  app.addHook('onSend', conditionalGet)

  const selfUrl = (site: service.Site, path: string, content: service.FeedContent) => `${service.siteLink(site, path)}${content.query}`
  const siteOf = (request: FastifyRequest) => service.siteFor(app.settings, originOf(request))

  app.get('/feed.atom', {
    schema: {
      tags,
      operationId: 'atomFeed',
      summary: 'The latest articles as an Atom 1.0 feed',
      description: 'The 20 latest published articles, newest first, with their bodies; `label` and `author` narrow them as on the articles list. The same for every caller.',
      security: readSecurity,
      querystring: FeedQuery,
      response: { 200: xmlAnswer('application/atom+xml', 'The Atom feed', feedExamples.atom), 304: unchanged, ...problems(400, 401) }
    }
  }, async (request, reply) => {
    const site = siteOf(request)
    const content = await app.heavyReads.run('latestForFeed', { site, query: request.query, since: startedAt })
    reply.header('last-modified', httpDate(content.updated))
    return reply.type('application/atom+xml; charset=utf-8').send(atomFeed(content, selfUrl(site, '/feed.atom', content)))
  })

  app.get('/feed.rss', {
    schema: {
      tags,
      operationId: 'rssFeed',
      summary: 'The latest articles as an RSS 2.0 feed',
      description: 'As the Atom feed, in RSS 2.0: bodies in `content:encoded`, authors in `dc:creator`.',
      security: readSecurity,
      querystring: FeedQuery,
      response: { 200: xmlAnswer('application/rss+xml', 'The RSS feed', feedExamples.rss), 304: unchanged, ...problems(400, 401) }
    }
  }, async (request, reply) => {
    const site = siteOf(request)
    const content = await app.heavyReads.run('latestForFeed', { site, query: request.query, since: startedAt })
    reply.header('last-modified', httpDate(content.updated))
    return reply.type('application/rss+xml; charset=utf-8').send(rssFeed(content, selfUrl(site, '/feed.rss', content), app.settings.locale))
  })

  app.get('/feed.json', {
    schema: {
      tags,
      operationId: 'jsonFeed',
      summary: 'The latest articles as a JSON Feed 1.1',
      description: 'As the Atom feed, as JSON Feed 1.1.',
      security: readSecurity,
      querystring: FeedQuery,
      response: {
        200: { description: 'The JSON feed', headers: cacheHeaders, content: { 'application/feed+json': { schema: ref(JsonFeed) } } },
        304: unchanged,
        ...problems(400, 401)
      }
    }
  }, async (request, reply) => {
    const site = siteOf(request)
    const content = await app.heavyReads.run('latestForFeed', { site, query: request.query, since: startedAt })
    reply.header('last-modified', httpDate(content.updated))
    reply.type('application/feed+json; charset=utf-8')
    return jsonFeed(content, selfUrl(site, '/feed.json', content), app.settings.locale)
  })

  app.get('/corrections.atom', {
    schema: {
      tags,
      operationId: 'correctionsAtomFeed',
      summary: 'The latest corrections as an Atom 1.0 feed',
      description: 'The 20 latest corrections of published articles, newest first (as `GET /v1/corrections`), each linking to its article. The same for every caller.',
      security: readSecurity,
      querystring: NoQuery,
      response: { 200: xmlAnswer('application/atom+xml', 'The Atom feed of corrections', correctionExamples.atom), 304: unchanged, ...problems(400, 401) }
    }
  }, async (request, reply) => {
    const site = siteOf(request)
    const content = await service.corrections(app.store, site, startedAt)
    reply.header('last-modified', httpDate(content.updated))
    return reply.type('application/atom+xml; charset=utf-8').send(correctionsAtomFeed(content, service.siteLink(site, '/corrections.atom')))
  })

  app.get('/sitemap.xml', {
    schema: {
      tags,
      operationId: 'sitemap',
      summary: 'The sitemap of the front end',
      description: 'Published articles, the blog\'s days and its labels, with when each last changed. Above 50,000 URLs, a sitemap index of `/sitemap-{page}.xml`.',
      security: readSecurity,
      querystring: NoQuery,
      response: { 200: xmlAnswer('application/xml', 'A sitemap (`urlset`), or a sitemap index (`sitemapindex`)', feedExamples.sitemap), 304: unchanged, ...problems(400, 401) }
    }
  }, async (request, reply) => {
    const sitemap = await app.heavyReads.run('sitemap', { site: siteOf(request), page: null, since: startedAt })
    reply.header('last-modified', httpDate(sitemap.updated))
    return reply.type('application/xml; charset=utf-8').send(Buffer.from(sitemap.xml.buffer, sitemap.xml.byteOffset, sitemap.xml.byteLength))
  })

  app.get('/sitemap-:page(^\\d+).xml', {
    schema: {
      tags,
      operationId: 'sitemapPage',
      summary: 'A page of the sitemap index',
      description: '50,000 URLs at most, in the order of the whole sitemap; 404 past the last page.',
      security: readSecurity,
      params: SitemapPageParams,
      querystring: NoQuery,
      response: { 200: xmlAnswer('application/xml', 'A sitemap (`urlset`)', feedExamples.sitemap), 304: unchanged, ...problems(400, 401, 404) }
    }
  }, async (request, reply) => {
    const sitemap = await app.heavyReads.run('sitemap', { site: siteOf(request), page: request.params.page, since: startedAt })
    reply.header('last-modified', httpDate(sitemap.updated))
    return reply.type('application/xml; charset=utf-8').send(Buffer.from(sitemap.xml.buffer, sitemap.xml.byteOffset, sitemap.xml.byteLength))
  })
}

export default feedsRoutes
