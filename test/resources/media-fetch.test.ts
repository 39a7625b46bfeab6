import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { fetchExternalMedia, type FetchLimits, type FetchOutcome } from '../../src/resources/media/fetch.js'
import { adminSecret, bearer, build, request } from '../helper.js'
import { imageServer, served, wxrWithImages, type ImageServer } from '../image-server.js'

// Fetching imported images' files (issue 21: the service `dateline media fetch` runs) from a
// web server on 127.0.0.1: the addresses come from an import, the fetched items become
// uploads whose variants the app serves, and each failure leaves its item external.

type Item = Record<string, any>

const limits = (overrides: Partial<FetchLimits> = {}): FetchLimits => ({
  maxBytes: 25 * 1024 * 1024,
  maxPixels: 100_000_000,
  timeoutMs: 1500,
  maxRedirects: 5,
  allowPrivateTargets: true,
  ...overrides
})

async function importImages (app: FastifyInstance, t: Test, server: ImageServer): Promise<void> {
  const addresses = Object.values(served).map((path) => server.url(path))
  const response = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/xml' }, payload: wxrWithImages(addresses) })
  t.equal(response.statusCode, 200, 'the file imports', { body: response.body.slice(0, 500) })
  t.same(response.json().counts.media, { created: addresses.length, updated: 0, unchanged: 0, skipped: 0 })
}

async function mediaByUrl (app: FastifyInstance, t: Test, server: ImageServer): Promise<Map<string, Item>> {
  const response = await request(app, t, { method: 'GET', url: '/v1/media?limit=100', headers: bearer(adminSecret) })
  t.equal(response.statusCode, 200)
  const byPath = new Map<string, Item>()
  for (const item of response.json().data as Item[]) byPath.set(String(item.externalUrl).replace(server.url(''), ''), item)
  return byPath
}

async function fetchAll (app: FastifyInstance, overrides: Partial<FetchLimits> = {}): Promise<Map<string, FetchOutcome>> {
  const told: FetchOutcome[] = []
  const outcomes = await fetchExternalMedia(app.store, app.media.store, limits(overrides), (outcome, done, total) => {
    told.push(outcome)
    if (done > total) throw new Error(`told ${done} of ${total}`)
  })
  if (told.length !== outcomes.length) throw new Error('every outcome is told as it ends')
  return new Map(outcomes.map((outcome) => [new URL(outcome.url).pathname, outcome]))
}

const reasonOf = (outcome: FetchOutcome | undefined): string => outcome === undefined || outcome.fetched ? '(fetched)' : outcome.reason

t.test('fetching imported images', async (t) => {
  const server = await imageServer(t)
  const app = await build(t)
  await importImages(app, t, server)

  await t.test('without allowing private addresses, nothing on 127.0.0.1 is asked for, and every item stays external', async (t) => {
    const outcomes = await fetchAll(app, { allowPrivateTargets: false })
    t.equal(outcomes.size, 7)
    for (const [path, outcome] of outcomes) t.match(reasonOf(outcome), /^127\.0\.0\.1 is 127\.0\.0\.1, not a public address \(--allow-private allows it\)$/, path)
    t.same(server.requests, [], 'the server got no request')
    t.ok([...(await mediaByUrl(app, t, server)).values()].every((item) => item.source === 'external'))
  })

  await t.test('a file above the size limit is refused, by its declared length or as it arrives, and its item stays external', async (t) => {
    const outcomes = await fetchAll(app, { maxBytes: 2000 })
    t.match(reasonOf(outcomes.get(served.harbour)), /^the file is \d+ bytes, more than the 2000 allowed$/)
    t.equal(reasonOf(outcomes.get(served.ferry)), 'the file is more than the 2000 bytes allowed', 'sent without a length')
    t.match(outcomes.get(served.badge), { fetched: true }, 'a small PNG is under the limit')
    const media = await mediaByUrl(app, t, server)
    t.same([media.get(served.harbour)?.source, media.get(served.ferry)?.source, media.get(served.badge)?.source], ['external', 'external', 'upload'])
  })

  await t.test('allowed: the images become uploads; a 404, a text, a silent server and a redirect loop are reported and stay external', async (t) => {
    server.requests.length = 0
    const outcomes = await fetchAll(app)
    t.same([...outcomes.values()].filter((outcome) => outcome.fetched).map((outcome) => new URL(outcome.url).pathname).sort(), [served.ferry, served.harbour].sort(), 'the badge was fetched before')
    t.match(outcomes.get(served.harbour), { fetched: true, width: 700, height: 500 })
    t.equal(reasonOf(outcomes.get(served.missing)), 'the server answered 404')
    t.match(reasonOf(outcomes.get(served.notImage)), /^the file /, 'the bytes, not the declared type, decide')
    t.equal(reasonOf(outcomes.get(served.slow)), 'no answer within 1500 ms')
    t.equal(reasonOf(outcomes.get(served.loop)), 'more than 5 redirects')
    t.equal(server.requests.filter((path) => path === served.loop).length, 6, 'the first request and five redirects')
    t.ok(server.requests.includes('/uploads/2024/05/ferry.jpg'), 'the redirect was followed')

    const media = await mediaByUrl(app, t, server)
    for (const path of [served.missing, served.notImage, served.slow, served.loop]) {
      t.match(media.get(path), { source: 'external', url: server.url(path), variants: [], width: null }, `${path}: still external`)
    }
    const harbour = media.get(served.harbour)!
    t.match(harbour, { source: 'upload', type: 'image/jpeg', width: 700, height: 500, alt: 'Alt 1', caption: 'Caption 1', externalUrl: server.url(served.harbour), fileName: 'harbour.jpg' },
      'an upload now, its words and its provenance kept')
    t.match(harbour.url, /^\/media\/[0-9a-f]{20}\/harbour-700w\.jpg$/)
    t.match(harbour.placeholder, /^data:image\/webp;base64,/)
    t.same(harbour.variants.map((variant: Item) => `${variant.width as number} ${variant.type as string}`),
      ['320 image/jpeg', '320 image/webp', '320 image/avif', '640 image/jpeg', '640 image/webp', '640 image/avif', '700 image/jpeg', '700 image/webp', '700 image/avif'])
    t.match(media.get(served.badge), { source: 'upload', type: 'image/png', width: 300, height: 200 })
    t.match(media.get(served.ferry), { source: 'upload', width: 400, height: 300, externalUrl: server.url(served.ferry) }, 'the address it was imported with')

    for (const variant of harbour.variants as Item[]) {
      const file = await app.inject({ method: 'GET', url: variant.url })
      t.equal(file.statusCode, 200, `${variant.url as string} is served`)
      t.equal(file.headers['content-type'], variant.type)
      t.equal(file.rawPayload.length, variant.bytes)
    }
    const article = await request(app, t, { method: 'GET', url: '/v1/articles/the-new-ferry', headers: bearer(adminSecret) })
    t.match(article.json().featuredImage, { id: harbour.id, url: harbour.url, width: 700, srcset: /harbour-320w\.jpg 320w/, sources: [{ type: 'image/avif' }, { type: 'image/webp' }] },
      'the article\'s featured image shows the served variants now')
  })

  await t.test('a second run asks only for the items still external', async (t) => {
    server.requests.length = 0
    const outcomes = await fetchAll(app, { timeoutMs: 500 })
    t.same([...outcomes.keys()].sort(), [served.missing, served.notImage, served.slow, served.loop].sort())
    t.notOk(server.requests.includes(served.harbour), 'the fetched ones are not asked for again')
  })

  await t.test('importing the file again leaves the fetched items uploads', async (t) => {
    const before = await mediaByUrl(app, t, server)
    await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/xml' }, payload: wxrWithImages(Object.values(served).map((path) => server.url(path))) })
      .then((response) => t.same(response.json().counts.media, { created: 0, updated: 0, unchanged: 7, skipped: 0 }))
    t.same(await mediaByUrl(app, t, server), before)
  })
})
