import { readFileSync } from 'node:fs'
import t from 'tap'
import { seedDemo } from '../../src/demo/seed.js'
import type { Store } from '../../src/db/store.js'
import { exportLines } from '../../src/resources/export/service.js'
import { latest, sitemap, type Site } from '../../src/resources/feeds/service.js'
import { importFile } from '../../src/resources/import/service.js'
import { bothStores, sameOutcomeOnBoth } from '../stores.js'

// Import, export, feeds and the demo seed through their services on both databases, once
// every resource has its PostgreSQL query module: the same reports, files, feeds and ids.

const themeFile = readFileSync(new URL('../../../shared/fixtures/wxr-theme-unit-test-data.xml', import.meta.url), 'utf8')
const settings = { timezone: 'Europe/Paris', locale: 'en-US' }
const since = '2020-01-01T00:00:00.000Z'

async function exported (store: Store): Promise<string> {
  let text = ''
  for await (const line of exportLines(store, { settings, mediaBase: null })) text += line
  return text
}

/** A file as it arrives over the network, a piece at a time. */
async function * streamed (text: string): AsyncGenerator<string> {
  for (let start = 0; start < text.length; start += 4096) yield text.slice(start, start + 4096)
}

async function imported (store: Store, text: string, dryRun = false): Promise<unknown> {
  return await importFile(store, settings, streamed(text), { dryRun })
}

t.test('a WordPress file imported, exported, and the export imported elsewhere, alike', async (t) => {
  // No dry run first: PostgreSQL does not take back the ids a rolled-back unit drew, so the
  // import after it would number its rows further on than SQLite does.
  const first = await bothStores(t)
  await sameOutcomeOnBoth(t, first, 'the WordPress file is imported', async (store) => await imported(store, themeFile))
  await sameOutcomeOnBoth(t, first, 'importing it again changes nothing', async (store) => await imported(store, themeFile))
  const file = await sameOutcomeOnBoth(t, first, 'the export', exported)

  const second = await bothStores(t)
  await sameOutcomeOnBoth(t, second, 'the export is imported into an empty database, keeping its ids', async (store) => await imported(store, file))
  const again = await sameOutcomeOnBoth(t, second, 'which exports the same rows', exported)
  t.equal(again.split('\n').slice(1).join('\n'), file.split('\n').slice(1).join('\n'), 'line for line, past the header')
  await sameOutcomeOnBoth(t, second, 'importing it again changes nothing', async (store) => await imported(store, file))
  await sameOutcomeOnBoth(t, second, 'nor does a dry run', async (store) => await imported(store, file, true))

  const third = await bothStores(t)
  await sameOutcomeOnBoth(t, third, 'the WordPress file is imported into a third database', async (store) => await imported(store, themeFile))
  await sameOutcomeOnBoth(t, third, 'then the export as another site\'s: its ids are taken, so the rows get new ones', async (store) => await imported(store, file.replaceAll('"site":"', '"site":"other ')))
  await sameOutcomeOnBoth(t, third, 'which export alike', exported)
})

t.test('the demo seed, the sitemap and the feeds, alike', async (t) => {
  const stores = await bothStores(t)
  await sameOutcomeOnBoth(t, stores, 'the demo is seeded', async (store) => await seedDemo(store, settings, null))
  await sameOutcomeOnBoth(t, stores, 'and not again', async (store) => await seedDemo(store, settings, null))
  const site: Site = { siteTitle: 'T', siteDescription: 'D', locale: 'en-US', sitemapPageSize: 7, siteUrl: 'https://news.example', articlePath: '/a/{slug}', pagePath: '/p/{slug}', dayPath: '/d/{date}', labelPath: '/l/{label}', mediaOrigin: 'https://api.news.example' }
  const index = await sameOutcomeOnBoth(t, stores, 'the sitemap is an index', async (store) => await sitemap(store, site, null, since))
  t.equal(index.kind, 'index')
  const pages = index.kind === 'index' ? index.pages.length : 1
  for (let page = 1; page <= pages + 1; page++) await sameOutcomeOnBoth(t, stores, `sitemap page ${page}`, async (store) => await sitemap(store, site, page, since))
  await sameOutcomeOnBoth(t, stores, 'the latest articles', async (store) => await latest(store, site, {}, since))
  const feed = await sameOutcomeOnBoth(t, stores, 'by two labels, in any case', async (store) => await latest(store, site, { label: ['weather', 'LOCAL NEWS'] }, since))
  t.ok(JSON.stringify(feed).includes('Local news'), 'a label is named as first spelled')
  await sameOutcomeOnBoth(t, stores, 'the demo exports alike', exported)
})
