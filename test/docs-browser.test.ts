import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { launchChromium } from './browser.js'
import { build } from './helper.js'

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url))
const screenshotPath = `${artifacts}docs.png`

interface DocumentedOperation {
  operationId: string
  summary: string
  tag: string
}

function operationsOf (document: Record<string, any>): DocumentedOperation[] {
  const operations: DocumentedOperation[] = []
  for (const item of Object.values<Record<string, any>>(document.paths ?? {})) {
    for (const operation of Object.values<Record<string, any>>(item)) {
      if (typeof operation?.operationId !== 'string') continue
      operations.push({ operationId: operation.operationId, summary: operation.summary, tag: operation.tags?.[0] ?? 'default' })
    }
  }
  return operations
}

t.test('a developer opening /docs sees every operation, with nothing loaded from elsewhere and no errors', async (t) => {
  const browser = await launchChromium(t)
  if (browser === null) return
  const app = await build(t, { demo: true })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  const operations = operationsOf(app.swagger() as Record<string, any>)
  t.ok(operations.length >= 12, `the document has its operations (${operations.length})`)

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })

  const requests: string[] = []
  const failedRequests: string[] = []
  const consoleErrors: string[] = []
  const pageErrors: string[] = []
  page.on('request', (request) => { requests.push(request.url()) })
  page.on('requestfailed', (request) => { failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`) })
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`) })
  page.on('pageerror', (error) => { pageErrors.push(error.stack ?? error.message) })

  const response = await page.goto(`${origin}/docs`, { waitUntil: 'load', timeout: 10_000 })
  t.equal(response?.status(), 200, '/docs answers 200 in the browser')
  await page.locator('.opblock').first().waitFor({ state: 'visible', timeout: 10_000 })
  await page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${operations.length}`, undefined, { timeout: 10_000 })
  // Let late requests (fonts, images) and console messages arrive before judging.
  await page.waitForLoadState('networkidle', { timeout: 10_000 })

  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: screenshotPath, fullPage: true })
  t.comment(`screenshot: ${screenshotPath}`)

  t.equal(await page.locator('.opblock').count(), operations.length, 'one operation block per documented operation')
  await t.resolves(page.locator('.info .title').filter({ hasText: 'Dateline API' }).waitFor({ state: 'visible', timeout: 2_000 }), 'the API title is shown')
  for (const { operationId, summary, tag } of operations) {
    // With deepLinking, swagger-ui gives each operation the id operations-<tag>-<operationId>.
    const block = page.locator(`[id="operations-${tag}-${operationId}"]`)
    t.equal(await block.count(), 1, `${operationId} has its block on the page`)
    t.ok(await block.getByText(summary, { exact: true }).isVisible(), `"${summary}" (${operationId}) is visible`)
  }

  const elsewhere = requests.filter((url) => {
    const { protocol, hostname } = new URL(url)
    return protocol !== 'data:' && protocol !== 'blob:' && hostname !== '127.0.0.1'
  })
  t.same(elsewhere, [], 'the page requests nothing from any host but the app')
  t.ok(requests.some((url) => url.startsWith(`${origin}/docs/`)), 'the page loads its assets from the app', { requests })
  t.same(failedRequests, [], 'no request failed')
  t.same(consoleErrors, [], 'no console errors')
  t.same(pageErrors, [], 'no page errors')
})
