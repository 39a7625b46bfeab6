import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import type { Test } from 'tap'

// The browser tests drive Debian's Chromium (`.ci/run` installs it): playwright's own
// download is neither wanted nor reachable on these machines.
const chromiumPath = '/usr/bin/chromium'

/** A headless Chromium closed when `t` ends, or null (and a failed assertion saying what to install). */
export async function launchChromium (t: Test): Promise<Browser | null> {
  if (!existsSync(chromiumPath)) {
    t.fail(`${chromiumPath} is missing: install Debian's chromium (apt-get install chromium)`)
    return null
  }
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 15_000
  })
  t.teardown(() => browser.close())
  return browser
}
