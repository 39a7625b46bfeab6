import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, request } from '../helper.js'

// Pages through import and export (issue 22, part 5): WordPress pages of the real theme unit
// test data with their parents and menu order, and the NDJSON round trip.

type Item = Record<string, any>

const themeFile = readFileSync(new URL('../../../shared/fixtures/wxr-theme-unit-test-data.xml', import.meta.url), 'utf8')

/** An element's text in an item (CDATA unwrapped, a few entities decoded); '' when empty or absent. */
function fieldOf (block: string, tag: string): string {
  const match = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}>)`).exec(block)
  const raw = match?.[1] ?? ''
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(raw)
  return cdata !== null ? cdata[1]! : raw.replace(/&amp;/g, '&').trim()
}

/** The fixture's pages as WordPress describes them. */
function wxrPages (text: string): Array<{ id: string, name: string, status: string, parent: string, order: number }> {
  const items = text.split('<item>').slice(1).map((chunk) => chunk.slice(0, chunk.indexOf('</item>')).split('<wp:comment>')[0]!)
  return items.filter((item) => fieldOf(item, 'wp:post_type') === 'page').map((item) => ({
    id: fieldOf(item, 'wp:post_id'),
    // Slugs fold accents (επίπεδο-2 is kept as επιπεδο-2), as every Dateline slug does.
    name: decodeURIComponent(fieldOf(item, 'wp:post_name')).normalize('NFKD').replace(/\p{M}/gu, ''),
    status: fieldOf(item, 'wp:status'),
    parent: fieldOf(item, 'wp:post_parent'),
    order: Number(fieldOf(item, 'wp:menu_order'))
  }))
}

async function send (app: FastifyInstance, t: Test, method: string, url: string, payload?: string | object, contentType?: string) {
  return await request(app, t, { method, url, headers: { ...bearer(adminSecret), ...(contentType === undefined ? {} : { 'content-type': contentType }) }, ...(payload === undefined ? {} : { payload }) })
}

async function allPages (app: FastifyInstance, t: Test): Promise<Item[]> {
  const response = await send(app, t, 'GET', '/v1/pages?limit=100')
  t.equal(response.statusCode, 200)
  return response.json().data
}

t.test('the theme unit test data\'s 21 pages are imported with their parents and order, once', async (t) => {
  const app = await build(t)
  const source = wxrPages(themeFile)
  t.equal(source.length, 21, 'the fixture holds 21 pages')
  const report = await send(app, t, 'POST', '/v1/import', themeFile, 'application/xml')
  t.equal(report.statusCode, 200, 'imported', { body: report.body.slice(0, 1000) })
  t.same(report.json().counts.pages, { created: 21, updated: 0, unchanged: 0, skipped: 0 })
  const pages = await allPages(app, t)
  const bySlug = new Map(pages.map((page) => [page.slug, page]))
  const nameOf = new Map(source.map((page) => [page.id, page.name]))
  for (const page of source) {
    const imported = bySlug.get(page.name)
    if (imported === undefined) {
      t.fail(`page ${page.id} (${page.name}) was not imported`)
      continue
    }
    const parentName = page.parent === '0' ? null : nameOf.get(page.parent)
    t.same([imported.status, imported.position, imported.parentId === null ? null : pages.find((other) => other.id === imported.parentId)?.slug], [
      page.status === 'publish' ? 'published' : 'draft', page.order, parentName ?? null
    ], `page ${page.id} (${page.name}): status, menu order, parent`)
  }
  t.ok(source.some((page) => page.parent !== '0'), 'the fixture nests pages, so parents were checked')
  const again = await send(app, t, 'POST', '/v1/import', themeFile, 'application/xml')
  t.same(again.json().counts.pages, { created: 0, updated: 0, unchanged: 21, skipped: 0 }, 'importing again changes no page')
  t.equal((await allPages(app, t)).length, 21)
})

t.test('export → import keeps every page field, parents listed after their children included', async (t) => {
  const app = await build(t)
  const make = async (body: object): Promise<Item> => (await send(app, t, 'POST', '/v1/pages', body)).json()
  const child = await make({ title: 'Masthead', markdown: 'The *team*.', excerpt: 'Who edits.', status: 'published', position: 4 })
  const parent = await make({ title: 'About', slug: 'about-us', markdown: 'We are local.', status: 'published' })
  await make({ title: 'Draft page', position: 2 })
  await send(app, t, 'PATCH', `/v1/pages/${child.id}`, { parentId: parent.id })
  const exported = await send(app, t, 'GET', '/v1/export')
  const lines = exported.body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Item)
  t.equal(lines[0]!.version, 5)
  t.equal(lines[0]!.counts.pages, 3)
  t.same(lines.filter((line) => line.type === 'page').map((line) => line.parentId), [parent.id, null, null], 'the child comes before its parent')
  const fresh = await build(t)
  const imported = await send(fresh, t, 'POST', '/v1/import', exported.body, 'application/x-ndjson')
  t.equal(imported.statusCode, 200, 'imported', { body: imported.body.slice(0, 1000) })
  t.same(imported.json().counts.pages, { created: 3, updated: 0, unchanged: 0, skipped: 0 })
  t.same(await allPages(fresh, t), await allPages(app, t), 'every field, ids and times included')
  t.same((await send(fresh, t, 'POST', '/v1/import', exported.body, 'application/x-ndjson')).json().counts.pages, { created: 0, updated: 0, unchanged: 3, skipped: 0 })

  // A backup read back where it came from finds each page under its id: none doubled.
  const before = await allPages(app, t)
  await send(app, t, 'PATCH', `/v1/pages/${parent.id}`, { title: 'About us now' })
  const restored = await send(app, t, 'POST', '/v1/import', exported.body, 'application/x-ndjson')
  t.same(restored.json().counts.pages, { created: 0, updated: 1, unchanged: 2, skipped: 0 }, 'the page edited since is set back, the others left alone')
  t.same((await allPages(app, t)).map((page) => [page.id, page.slug, page.title]), before.map((page) => [page.id, page.slug, page.title]))
})
