import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = fileURLToPath(new URL('../', import.meta.url))
const spectral = fileURLToPath(new URL('../node_modules/@stoplight/spectral-cli/dist/index.js', import.meta.url))

interface Finding {
  code: string
  message: string
  path: string[]
  severity: number
}

/** Spectral's findings on the committed document, and its exit code, as `npm run lint:openapi` runs it. */
function lint (): Promise<{ code: number, findings: Finding[] }> {
  const args = [spectral, 'lint', '--ruleset', '.spectral.yaml', '--fail-severity', 'warn', '--format', 'json', '--quiet', 'openapi/openapi.json']
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      try {
        resolve({ code, findings: stdout.trim() === '' ? [] : JSON.parse(stdout) as Finding[] })
      } catch {
        reject(new Error(`spectral did not answer JSON (exit ${code}): ${stderr || stdout}`))
      }
    })
  })
}

t.test('the committed OpenAPI document passes the Spectral ruleset (.spectral.yaml) with no warning', async (t) => {
  const { code, findings } = await lint()
  // Severity 0 is an error, 1 a warning; information and hints do not fail the lint.
  const failing = findings.filter((finding) => finding.severity <= 1).map((finding) => `${finding.code} at ${finding.path.join('.')}: ${finding.message}`)
  t.same(failing, [], 'no errors or warnings')
  t.equal(code, 0, 'spectral exits 0')
})
