import { buildApp } from './src/app.js'
import { chromium } from 'playwright-core'
const app = await buildApp({ databaseUrl: ':memory:', timezone: 'UTC', locale: 'en-US', demo: false, adminToken: null })
await app.listen({ port: 0, host: '127.0.0.1' })
const port = (app.server.address() as any).port
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
const page = await browser.newPage()
await page.addInitScript(() => {
  document.addEventListener('securitypolicyviolation', (e) => {
    const el = e.target as Element
    console.log('VIOLATION', e.violatedDirective, e.sample, el?.outerHTML?.slice(0, 300), (e as any).sourceFile, e.lineNumber, e.columnNumber)
  })
})
page.on('console', (m) => console.log(m.type(), m.text()))
await page.goto(`http://127.0.0.1:${port}/docs`)
await page.waitForTimeout(3000)
await browser.close(); await app.close()
