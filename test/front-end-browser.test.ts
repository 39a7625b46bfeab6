import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import t from 'tap'
import { launchChromium } from './browser.js'
import { build as buildFrontEnd } from 'vite'
import { adminSecret, bearer, build } from './helper.js'

const frontEnd = fileURLToPath(new URL('../examples/front-end/', import.meta.url))
const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url))
const contentTypes: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' }

/** Serves a built front end as a static host would: its files, and index.html for `/`. */
async function serveStatic (folder: () => string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://front-end').pathname).replace(/^(\.\.[/\\])+/, '')
    const file = join(folder(), path === '/' ? 'index.html' : path)
    if (!existsSync(file) || !file.startsWith(folder())) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

const origin = (server: Server | { server: Server }) => `http://127.0.0.1:${(('server' in server ? server.server : server).address() as AddressInfo).port}`

t.test('a reader sees the demo blog in the starter front end, searches it, comments, and sees the comment once approved', async (t) => {
  const browser = await launchChromium(t)
  if (browser === null) return
  const outDir = mkdtempSync(join(tmpdir(), 'dateline-front-end-'))
  t.teardown(() => rmSync(outDir, { recursive: true, force: true }))
  const site = await serveStatic(() => outDir)
  t.teardown(() => new Promise((resolve) => site.close(resolve)))
  const siteOrigin = origin(site)

  // The page posts comments from its own origin, so the API must let that origin write.
  const app = await build(t, { demo: true })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const api = origin(app)
  await buildFrontEnd({
    configFile: join(frontEnd, 'vite.config.ts'),
    root: frontEnd,
    logLevel: 'warn',
    define: { 'import.meta.env.VITE_DATELINE_API': JSON.stringify(api) },
    build: { outDir, emptyOutDir: true }
  })

  const days = (await app.inject({ method: 'GET', url: '/v1/dates?include=articles&limit=5' })).json().data as Array<{ label: string, articles: Array<{ id: number, slug: string, title: string, commentCount: number, author: { name: string }, featuredImage: { alt: string, credit: string, sources: Array<{ type: string, srcset: string }> } | null }> }>
  const firstArticle = days[0]!.articles[0]!

  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } })
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  page.on('pageerror', (error) => { problems.push(error.stack ?? error.message) })
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
  page.on('requestfailed', (request) => { problems.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'} (page at ${page.url()})`) })

  await t.test('the front page: day headers, articles with author, excerpt, read more, comment counts', async (t) => {
    await page.goto(`${siteOrigin}/`)
    await page.locator('.day-header').first().waitFor()
    t.same(await page.locator('.day-header').allTextContents(), days.map((day) => day.label), 'a header for each day, newest first')
    const posts = page.locator('article.post')
    t.equal(await posts.count(), days.reduce((sum, day) => sum + day.articles.length, 0), 'every article of those days')
    const first = posts.first()
    t.equal(await first.locator('h3').textContent(), firstArticle.title, 'the newest article first')
    t.match(await first.locator('.byline').textContent(), firstArticle.author.name, 'with its author')
    t.equal(await first.locator('.read-more').textContent(), 'Read more »')
    t.equal(await first.locator('.comment-count').textContent(), firstArticle.commentCount === 0 ? 'No comments' : firstArticle.commentCount === 1 ? '1 comment' : `${firstArticle.commentCount} comments`)
    t.ok((await first.locator('.excerpt').textContent() ?? '').length > 20, 'and its excerpt')
    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: `${artifacts}front-end.png`, fullPage: true })
  })

  await t.test('each teaser leads with its image: the size the column needs, in the best format, with alt text and credit', async (t) => {
    const image = firstArticle.featuredImage!
    t.ok(image, 'the demo article has an image (from the list answer alone)')
    const lead = page.locator('article.post').first().locator('figure.lead-image')
    const img = lead.locator('img')
    await img.scrollIntoViewIfNeeded()
    // The test's TypeScript has no DOM: the image as these functions read it in the page.
    interface PageImage { complete: boolean, naturalWidth: number, currentSrc: string, getBoundingClientRect: () => { width: number } }
    await page.waitForFunction((element) => element !== null && (element as unknown as PageImage).complete && (element as unknown as PageImage).naturalWidth > 0, await img.elementHandle())
    t.equal(await img.getAttribute('alt'), image.alt, 'its alt text')
    t.equal(await lead.locator('figcaption').textContent(), image.credit, 'its credit under it')
    const shown = await img.evaluate((element) => {
      const picture = element as unknown as PageImage
      return { currentSrc: picture.currentSrc, naturalWidth: picture.naturalWidth, renderedWidth: picture.getBoundingClientRect().width, ratio: (globalThis as unknown as { devicePixelRatio: number }).devicePixelRatio }
    })
    // Chromium shows AVIF: it takes the first <source>, and from it the smallest width that covers the column.
    const candidates = image.sources[0]!.srcset.split(', ').map((candidate) => {
      const [url = '', width = ''] = candidate.split(' ')
      return { url: new URL(url, api).href, width: Number.parseInt(width, 10) }
    })
    const needed = shown.renderedWidth * shown.ratio
    const expected = candidates.find((candidate) => candidate.width >= needed) ?? candidates.at(-1)!
    t.equal(image.sources[0]!.type, 'image/avif')
    t.equal(shown.currentSrc, expected.url, `the ${expected.width}w AVIF for a ${Math.round(needed)}-pixel column`)
    // naturalWidth is in CSS pixels: the file's width over the density the srcset gives it.
    t.equal(shown.naturalWidth, Math.round(needed), 'shown at the column\'s width')
    const served = await app.inject({ method: 'GET', url: new URL(shown.currentSrc).pathname })
    t.equal(served.headers['content-type'], 'image/avif')
    t.match(served.headers['cache-control'], /immutable/)
    const decoded = await sharp(served.rawPayload).metadata()
    t.same([decoded.format, decoded.width], ['heif', expected.width], 'an AVIF as wide as its srcset says')
  })

  await t.test('an article page, from its title', async (t) => {
    await page.locator('article.post h3 a').first().click()
    await page.locator('article.post.full h2.title').waitFor()
    t.equal(await page.locator('article.post.full h2.title').textContent(), firstArticle.title)
    t.ok(await page.locator('.post-body p').count() > 0, 'its body')
    t.equal(await page.locator('article.post.full figure.lead-image img').getAttribute('alt'), firstArticle.featuredImage?.alt, 'under its lead image')
    await page.locator('#comments h3').waitFor()
    t.ok(await page.locator('form.comment-form').isVisible(), 'and a comment form')
  })

  await t.test('the search shows highlighted snippets', async (t) => {
    const word = firstArticle.title.split(/\W+/).find((candidate) => candidate.length >= 5)!
    await page.locator('form.search input[name=q]').fill(word)
    await page.locator('form.search button').click()
    await page.locator('.snippet mark').first().waitFor()
    const marked = await page.locator('.snippet mark').allTextContents()
    t.ok(marked.some((text) => text.toLowerCase().startsWith(word.toLowerCase().slice(0, 4))), `"${word}" is marked in the snippets (${marked.join(', ')})`)
    t.equal(await page.locator('.snippet script').count(), 0)
  })

  await t.test('a comment posted through the form appears once a moderator approves it', async (t) => {
    const name = `Reader ${process.pid}`
    await page.goto(`${siteOrigin}/#/articles/${firstArticle.slug}`)
    await page.locator('form.comment-form').waitFor()
    await page.locator('form.comment-form input[name=authorName]').fill(name)
    await page.locator('form.comment-form textarea[name=body]').fill('Seen from the browser test.')
    await page.locator('form.comment-form button[type=submit]').click()
    await page.locator('#comments .notice').waitFor()
    t.match(await page.locator('#comments .notice').textContent(), /moderator/, 'the reader is told it waits for moderation')

    const listed = await app.inject({ method: 'GET', url: `/v1/comments?article=${firstArticle.id}&limit=100`, headers: bearer(adminSecret) })
    const posted = (listed.json().data as Array<{ id: number, authorName: string }>).find((comment) => comment.authorName === name)
    t.ok(posted, 'the API has the comment')
    const approved = await app.inject({ method: 'PATCH', url: `/v1/comments/${posted!.id}`, headers: bearer(adminSecret), payload: { status: 'approved' } })
    t.equal(approved.statusCode, 200, 'approved through the API')

    await page.reload()
    const shown = page.locator(`#comment-${posted!.id}`)
    await shown.waitFor()
    t.match(await shown.locator('.comment-meta').textContent(), name, 'the approved comment is shown after a reload')
    t.match(await shown.locator('.comment-body').textContent(), 'Seen from the browser test.', 'as the text the reader typed')
    await page.screenshot({ path: `${artifacts}front-end-article.png`, fullPage: true })
  })

  await t.test('the archive lists the months, and a month its days', async (t) => {
    await page.locator('nav a[href="#/archive"]').click()
    await page.locator('ul.archive a').first().waitFor()
    await page.locator('ul.archive a').first().click()
    await page.locator('.day-header').first().waitFor()
    t.ok(await page.locator('article.post').count() > 0, 'the month\'s articles')
  })

  t.same(problems, [], 'no page errors, console errors or failed requests')
})
