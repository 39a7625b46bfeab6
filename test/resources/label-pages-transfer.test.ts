import { readFileSync } from 'node:fs'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from '../helper.js'
import { categoriesIn } from '../import/wxr-categories.js'

// Label pages through import and export (issue 22, part 8): WordPress categories keep their
// parents, slugs and descriptions; the NDJSON export (version 4) carries them back, whatever
// order parents and children come in; files of earlier versions still import.

type Item = Record<string, any>

const themeXml = readFileSync(new URL('../../../shared/fixtures/wxr-theme-unit-test-data.xml', import.meta.url), 'utf8')


async function importText (app: FastifyInstance, t: Test, text: string, contentType: string): Promise<Item> {
  const response = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': contentType }, payload: text })
  t.equal(response.statusCode, 200, 'imported', { body: response.body.slice(0, 500) })
  return response.json()
}

async function exportText (app: FastifyInstance): Promise<string> {
  const response: LightMyRequestResponse = await app.inject({ method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })
  return response.body
}

/** Every label, as an editor lists them, by name. */
async function allLabels (app: FastifyInstance, t: Test): Promise<Item[]> {
  const labels: Item[] = []
  for (let offset = 0; ; offset += 100) {
    const page = (await request(app, t, { method: 'GET', url: `/v1/labels?limit=100&offset=${offset}`, headers: bearer(adminSecret) })).json()
    labels.push(...page.data)
    if (labels.length >= page.meta.total) return labels
  }
}

/** Labels as a tree reads them, ids aside: slug, name, description and the parent's slug. */
function tree (labels: Item[]): Array<[string, string, string, string | null]> {
  const slugOf = new Map(labels.map((label) => [label.id as number, label.slug as string]))
  return labels.map((label) => [label.slug, label.name, label.description, label.parentId === null ? null : slugOf.get(label.parentId) ?? '?'])
}

t.test('a WordPress import keeps the Theme Unit Test categories\' parents and descriptions', async (t) => {
  const app = await build(t)
  const report = await importText(app, t, themeXml, 'application/xml')
  const labels = await allLabels(app, t)
  const byName = new Map(labels.map((label) => [(label.name as string).toLowerCase(), label]))
  const categories = categoriesIn(themeXml)
  const nested = categories.filter((category) => category.parent !== '')
  t.ok(nested.length >= 10, `${nested.length} categories with a parent in the file`)
  // Labels are one per name, case aside: categories sharing a name are one label, reported.
  const namesakes = categories.filter((category) => categories.filter((other) => other.name.toLowerCase() === category.name.toLowerCase()).length > 1)
  const labelNotes = report.notes.filter((note: Item) => note.resource === 'label')
  t.same(labelNotes.filter((note: Item) => note.sourceId.startsWith('category:')).map((note: Item) => note.sourceId), namesakes.slice(1).map((category) => `category:${category.slug}`), 'a category with another\'s name is noted')
  t.ok(labelNotes.every((note: Item) => /has the name of/.test(note.note)), 'and only that: no parent was refused')
  for (const category of categories) {
    const label = byName.get(category.name.toLowerCase())
    t.ok(label, `category "${category.name}" is a label`)
    if (label === undefined) continue
    const parentName = label.parentId === null ? null : labels.find((candidate) => candidate.id === label.parentId)?.name
    const parents = categories.filter((other) => other.name.toLowerCase() === category.name.toLowerCase() && other.parent !== '')
      .map((other) => categories.find((candidate) => candidate.slug === other.parent)!.name)
    t.same(parentName, parents.at(-1) ?? null, `"${category.name}" is under ${parents.at(-1) ?? 'nothing'}`)
    if (category.description !== '') t.equal(label.description, category.description, `"${category.name}" keeps its description`)
  }
  const grandchild = categories.find((category) => nested.some((other) => other.slug === category.parent))!
  const page = (await request(app, t, { method: 'GET', url: `/v1/labels/${encodeURIComponent(byName.get(grandchild.name.toLowerCase())!.slug)}`, headers: bearer(adminSecret) })).json()
  t.equal(page.parent.name, categories.find((category) => category.slug === grandchild.parent)!.name, 'a grandchild\'s page names its parent')

  await importText(app, t, themeXml, 'application/xml')
  t.same(tree(await allLabels(app, t)), tree(labels), 'importing the file again changes no label')
})

t.test('export → import carries slugs, descriptions and parents, a parent after its child too', async (t) => {
  const app = await build(t)
  const ann = await createAuthor(app, t)
  const send = async (method: string, url: string, payload: object): Promise<Item> => (await request(app, t, { method, url, headers: bearer(adminSecret), payload })).json()
  await createArticle(app, t, { title: 'Bridge vote', authorId: ann.id, status: 'published', publishedAt: '2015-06-25T10:00:00.000Z', labels: ['Bridges'] })
  const transport = await send('POST', '/v1/labels', { name: 'Transport', slug: 'getting-around', description: 'Roads, rails and river.' })
  const city = await send('POST', '/v1/labels', { name: 'City', description: 'Kestermouth itself.' })
  await send('PATCH', '/v1/labels/bridges', { parentId: transport.id, description: 'Crossing the Vell.' })
  await send('PATCH', '/v1/labels/getting-around', { parentId: city.id })
  const before = await allLabels(app, t)
  const text = await exportText(app)
  const labelLines = text.split('\n').filter((line) => line.startsWith('{"type":"label"')).map((line) => JSON.parse(line) as Item)
  t.same(labelLines.map((line) => Object.keys(line).sort()), labelLines.map(() => ['description', 'id', 'name', 'parentId', 'slug', 'type']), 'label lines carry the new fields')
  t.ok(labelLines.findIndex((line) => line.name === 'Bridges') < labelLines.findIndex((line) => line.name === 'Transport'), 'the file names a child before its parent')

  const fresh = await build(t)
  await importText(fresh, t, text, 'application/x-ndjson')
  t.same(tree(await allLabels(fresh, t)), tree(before), 'the same labels, slugs, descriptions and tree')
  t.equal((await request(fresh, t, { method: 'GET', url: '/v1/articles?label=bridges' })).json().meta.total, 1, 'the article finds its label by slug')
  t.same(await exportText(fresh).then((again) => again.split('\n').slice(1)), text.split('\n').slice(1), 'and exports the same lines')
  await importText(fresh, t, text, 'application/x-ndjson')
  t.same(tree(await allLabels(fresh, t)), tree(before), 'importing it again changes nothing')
})

t.test('a version 3 file, whose label lines hold only a name, still imports', async (t) => {
  const app = await build(t)
  const lines = [
    { type: 'header', format: 'dateline', version: 3, exportedAt: '2026-01-01T00:00:00.000Z', counts: {} },
    { type: 'author', id: 7, slug: 'ann', name: 'Ann', bio: null, avatarUrl: null, url: null, email: null, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' },
    { type: 'label', name: 'Harbour news' },
    { type: 'article', id: 3, slug: 'hello', title: 'Hello', body: '<p>Hi.</p>', excerpt: null, status: 'published', publishedAt: '2026-01-01T09:00:00.000Z', authorId: 7, labels: ['Harbour news'], oldSlugs: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }
  ]
  await importText(app, t, lines.map((line) => JSON.stringify(line)).join('\n') + '\n', 'application/x-ndjson')
  t.same(tree(await allLabels(app, t)), [['harbour-news', 'Harbour news', '', null]], 'the label comes with its article, a slug from its name')
})
