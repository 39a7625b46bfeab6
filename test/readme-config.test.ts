import { readFileSync } from 'node:fs'
import t from 'tap'
import { readConfig, settingNames } from '../src/config.js'
import { cli } from './cli-run.js'

// The README's Configuration table is what users read: every row must be a setting the CLI
// takes, and every setting must have a row, with the same default.

interface Row { env: string, flag: string, fallback: string }

function readmeRows (): Row[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? ''
  const rows: Row[] = []
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    // | `PORT` | `--port` | `3000` | TCP port |
    const [, env, flag, fallback] = cells
    if (env === undefined || !/^`[A-Z][A-Z0-9_]*`$/.test(env) || flag === undefined || fallback === undefined) continue
    rows.push({ env: env.slice(1, -1), flag: flag.replace(/`/g, ''), fallback: fallback === '(none)' ? '' : fallback.replace(/`/g, '') })
  }
  return rows
}

const rows = readmeRows()

t.test('the README documents every setting, and nothing else', async (t) => {
  t.ok(rows.length >= 20, `the table was found (${rows.length} rows)`)
  t.same(rows.map((row) => row.env).sort(), settingNames.map((setting) => setting.env).sort())
  for (const setting of settingNames) {
    const row = rows.find((candidate) => candidate.env === setting.env)
    t.equal(row?.flag, `--${setting.flag}`, `${setting.env}'s flag`)
  }
})

t.test('each documented default is the default', async (t) => {
  const defaults = readConfig({})
  for (const row of rows) {
    // Read the README's value through the same parser, so `1048576` and 1 MiB compare alike.
    t.same(readConfig({ [row.env]: row.fallback }), defaults, `${row.env}=${JSON.stringify(row.fallback)} is the default`)
  }
})

t.test('serve accepts each documented flag', async (t) => {
  for (const row of rows) {
    // A bad --port after it stops serve before it listens: reaching the port check means the
    // flag itself was taken (an unknown one fails first, naming the flag).
    const run = await cli(['serve', row.flag, row.fallback, '--port', 'abc'])
    t.equal(run.code, 2, `serve ${row.flag} … exits 2 on the bad port`)
    t.match(run.stderr, /^dateline: invalid setting --port "abc"/, `${row.flag} was accepted`)
  }
})

t.test('--help lists each documented flag', async (t) => {
  const help = await cli(['--help'])
  t.equal(help.code, 0)
  for (const row of rows) t.match(help.stdout, new RegExp(`${row.flag}\\b`), `--help lists ${row.flag}`)
})

t.test('a bad value names what the user typed: the flag, or the variable', async (t) => {
  const flag = await cli(['serve', '--port', 'abc'])
  t.equal(flag.code, 2)
  t.equal(flag.stderr, 'dateline: invalid setting --port "abc": expected an integer from 0 to 65535\n')
  t.notMatch(flag.stderr, 'PORT')
  const variable = await cli(['serve'], { DATELINE_TRASH_DAYS: 'forever' })
  t.equal(variable.code, 2)
  t.equal(variable.stderr, 'dateline: invalid setting DATELINE_TRASH_DAYS="forever": expected an integer from 0 to 3650\n')
  const both = await cli(['serve', '--trash-days', 'ever'], { DATELINE_TRASH_DAYS: '7' })
  t.equal(both.code, 2)
  t.match(both.stderr, /invalid setting --trash-days "ever"/, 'the flag wins over the variable, and is the one named')
})
