/**
 * A fuzz suite driven by the OpenAPI document (issue 5).
 *
 * For every operation in `app.swagger()` (so a new route is fuzzed without touching this
 * file), fast-check generates requests from the operation's own schemas: valid and invalid
 * path parameters, query parameters, If-Match headers, JSON bodies and, for the upload, forms
 * with real or damaged images (see test/fuzz/), sent
 * as nobody, an author, an editor, the admin, or with a bad token. Properties:
 *   - no response is a 5xx;
 *   - every 4xx is application/problem+json {type, title, status, detail, instance} with
 *     `status` equal to the HTTP status;
 *   - every 2xx matches the documented schema for its status (test/helper.ts checkAgainstDocument);
 *   - a request answered 4xx leaves every table unchanged (tokens.last_used_at aside);
 *   - and, reported without stopping the run: a request the document says is invalid (a wrong
 *     type, an unknown field or query parameter, no token where one is needed…) is refused
 *     with a 4xx, statuses are documented, 401/405/429 carry their headers.
 * What a case wrote is undone before the next (test/fuzz/database.ts: on SQLite a transaction
 * of the harness's own, rolled back; on PostgreSQL the tables refilled from a copy made at the
 * start), so every case meets the same demo blog and the suite is reproducible from its seed.
 *
 * Bounded by default, so `npm test` stays quick on a busy machine: 10 cases per operation
 * (about 470 requests, ~20 s on a busy machine), fixed seed. Long mode (the file lifts tap's per-file
 * timeout itself when FUZZ_RUNS is above the default):
 *   FUZZ_RUNS=2000 npx tap test/fuzz.test.ts
 * Other knobs: FUZZ_SEED=<int> (another sequence), FUZZ_ONLY=<regex on "METHOD /path">
 * (some operations only), FUZZ_PATH=<path from a failure report> (replay one counterexample;
 * a failure prints the whole command). Every failure shows the method, URL, token, headers,
 * body and the response; fast-check adds the seed, path and shrunk counterexample.
 */
import fc from 'fast-check'
import t from 'tap'
import { build } from './helper.js'
import { caseArbitrary, describe, prepare, send, truncate, type FuzzCase, type Outcome } from './fuzz/harness.js'

const defaultRuns = 10
const runs = Number(process.env.FUZZ_RUNS ?? defaultRuns)
const baseSeed = Number(process.env.FUZZ_SEED ?? 20260625)
const only = process.env.FUZZ_ONLY === undefined ? null : new RegExp(process.env.FUZZ_ONLY)
const replayPath = process.env.FUZZ_PATH

if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer, not ${process.env.FUZZ_RUNS}`)
if (!Number.isInteger(baseSeed)) throw new Error(`FUZZ_SEED must be an integer, not ${process.env.FUZZ_SEED}`)
// Long runs take minutes; the default stays well inside the suite's time budget.
if (runs > defaultRuns) t.setTimeout(0)

/** A seed per operation, so adding a route does not change the other operations' cases. */
function seedFor (key: string): number {
  let hash = baseSeed | 0
  for (const char of key) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0
  return hash
}

t.test('every operation in the OpenAPI document survives generated requests', async (t) => {
  const app = await build(t, { demo: true, commentRateLimit: 100_000, searchRateLimit: 100_000, mediaUploadRateLimit: 100_000 })
  const fixture = await prepare(app)
  const operations = fixture.operations.filter((operation) => only === null || only.test(operation.key))
  t.ok(operations.length > 0, 'the document lists operations to fuzz')
  let total = 0
  let wrote = 0
  const statuses = new Map<number, number>()

  for (const operation of operations) {
    const seed = seedFor(operation.key)
    await t.test(`${operation.key}: no 5xx, problem+json 4xx, documented 2xx, refused requests change nothing`, async (t) => {
      let cases = 0
      const perStatus = new Map<number, number>()
      const findings = new Map<string, { text: string, count: number }>()
      const property = fc.asyncProperty(caseArbitrary(fixture, operation), async (fuzzCase: FuzzCase) => {
        const outcome: Outcome = await send(fixture, operation, fuzzCase)
        cases++
        if (outcome.changed.length > 0) wrote++
        perStatus.set(outcome.response.statusCode, (perStatus.get(outcome.response.statusCode) ?? 0) + 1)
        for (const finding of outcome.findings) {
          // One example per kind of finding (the kind is the message without quoted values).
          const kind = finding.split(outcome.request.url).join('<url>').split(' {"')[0]!.replace(/"[^"]*"/g, '…').replace(/\d+/g, 'N').slice(0, 160)
          const known = findings.get(kind)
          if (known === undefined) findings.set(kind, { text: `${finding}\n${describe(outcome, fuzzCase)}`, count: 1 })
          else known.count++
        }
        if (outcome.failures.length > 0) throw new Error(`${outcome.failures.join('; ')}\n${describe(outcome, fuzzCase)}`)
      })
      const result = await fc.check(property, { seed, numRuns: runs, ...(replayPath !== undefined ? { path: replayPath } : {}) })
      total += cases
      for (const [status, count] of perStatus) statuses.set(status, (statuses.get(status) ?? 0) + count)
      t.comment(`${cases} cases (seed ${seed}): ${[...perStatus.entries()].sort((a, b) => a[0] - b[0]).map(([status, count]) => `${status}×${count}`).join(' ')}`)
      if (result.failed) {
        const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)
        t.fail(`${operation.key} broke a property: ${truncate(error.split('\n')[0]!, 200)}`, {
          counterexample: error,
          replay: `FUZZ_SEED=${baseSeed} FUZZ_ONLY='^${operation.key}$' FUZZ_PATH='${result.counterexamplePath ?? ''}' npx tap test/fuzz.test.ts`,
          fastCheck: fc.defaultReportMessage(result) ?? ''
        })
      } else {
        t.pass(`${runs} generated requests: no 5xx, every 4xx a problem document, every 2xx as documented, refused requests changed nothing`)
      }
      for (const { text, count } of findings.values()) {
        t.fail(`${operation.key}: ${truncate(text.split('\n')[0]!, 200)}`, { cases: count, seed, example: text })
      }
      if (findings.size === 0) t.pass('invalid requests were refused and every status is documented')
    })
  }
  // Snapshots that never differed would let "refused requests change nothing" pass unseen.
  if (only === null && replayPath === undefined) t.ok(wrote > 0, `the snapshots saw the cases that wrote (${wrote}), and each was undone before the next`)
  t.comment(`fuzz: ${total} requests over ${operations.length} operations (${runs} runs each, seed ${baseSeed}): ${[...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([status, count]) => `${status}×${count}`).join(' ')}`)
})
