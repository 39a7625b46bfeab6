import { spawn } from 'node:child_process'
import t from 'tap'
import { readConfig } from '../src/config.js'
import { humanLine } from '../src/lib/log-stream.js'
import { serverUrl, startupMessages } from '../src/server.js'
import { build, request, tempDatabase } from './helper.js'
import { compiledCli, send, startServer } from './reliability/server-process.js'

// What a newcomer sees: the start-up says where things are, and the server's address answers
// with links instead of a 404.

t.test('a started server says where the API and the docs are, that it seeded the demo, and what to do next', async (t) => {
  const server = await startServer(t, tempDatabase(t), { LOG_LEVEL: 'info', DATELINE_DEMO: 'true', DATELINE_ADMIN_TOKEN: '' })
  const lines = server.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>)
  const url = `http://127.0.0.1:${server.port}`
  const listening = lines.find((line) => line.startup?.docs !== undefined)
  t.ok(listening, 'a start-up line with the addresses (JSON, since stdout is not a terminal)', { output: server.output() })
  t.same(listening!.startup, { url, api: `${url}/v1`, docs: `${url}/docs`, openapi: `${url}/openapi.json` })
  t.match(listening!.msg, `${url}/docs`)
  t.ok(lines.some((line) => line.startup?.demo === 'seeded' && /demo blog/.test(line.msg)), 'says the demo blog was added')
  t.ok(lines.some((line) => /token create --role admin/.test(line.msg)), 'says how to make a token')
  t.ok(lines.some((line) => /DATELINE_SITE_URL is not set/.test(line.msg)), 'says feeds link to the API until the site URL is set')

  // Every link of / and /v1 answers, over a real socket: nothing a newcomer follows is a 404.
  const root = await send(server.port, { path: '/' })
  t.equal(root.status, 200)
  const links = Object.values((JSON.parse(root.body) as { links: Record<string, string> }).links)
  const api = await send(server.port, { path: '/v1' })
  t.equal(api.status, 200)
  links.push(...Object.values((JSON.parse(api.body) as { links: Record<string, string> }).links))
  for (const link of new Set(links)) {
    const answer = await send(server.port, { path: link })
    t.not(answer.status, 404, `${link} is there (${answer.status})`)
    t.ok(answer.status < 500, `${link} answers without a server error`)
  }
})

t.test('the start-up messages follow the settings', async (t) => {
  const demoOff = startupMessages(readConfig({ DATELINE_DEMO: 'false', DATELINE_SITE_URL: 'https://blog.example.org', DATELINE_ADMIN_TOKEN: 'x'.repeat(30), HOST: '0.0.0.0' }), 8080, false)
  t.equal(demoOff[0]!.url, 'http://localhost:8080', 'any-address: an address a person can open')
  t.match(demoOff[1]!.msg, /DATELINE_DEMO=false: no demo blog/)
  t.match(demoOff[2]!.msg, /DATELINE_ADMIN_TOKEN is set/)
  t.notOk(demoOff.some((message) => /DATELINE_SITE_URL/.test(message.msg)), 'no site-URL hint once it is set')
  const hadContent = startupMessages(readConfig({}), 3000, false)
  t.match(hadContent[1]!.msg, /has content, so the demo blog was not added/)
  t.equal(serverUrl('::1', 3000), 'http://[::1]:3000')
  t.equal(serverUrl('::', 3000), 'http://localhost:3000')
})

t.test('on a terminal, log lines are for people: time, level, message, the request in short', async (t) => {
  const request = humanLine(`${JSON.stringify({ level: 30, time: Date.UTC(2026, 5, 3, 7, 15, 0), pid: 1, hostname: 'h', reqId: 'req-1', req: { method: 'GET', url: '/v1/articles' }, msg: 'incoming request' })}\n`)
  t.match(request, /^\d\d:\d\d:\d\d INFO  incoming request GET \/v1\/articles\n$/)
  const done = humanLine(`${JSON.stringify({ level: 30, time: Date.now(), reqId: 'req-1', res: { statusCode: 200 }, responseTime: 3.14159, msg: 'request completed' })}\n`)
  t.match(done, /INFO  request completed 200 3\.1 ms\n$/)
  const warning = humanLine(`${JSON.stringify({ level: 40, time: Date.now(), code: 'SQLITE_FULL', msg: 'the database still cannot take writes' })}\n`)
  t.match(warning, /WARN  the database still cannot take writes code=SQLITE_FULL\n$/)
  const startup = humanLine(`${JSON.stringify({ level: 30, time: Date.now(), startup: { url: 'http://x' }, msg: 'Dateline is listening' })}\n`)
  t.notMatch(startup, /startup|url=/, 'the start-up details are for log collectors only')
  t.equal(humanLine('not json\n'), 'not json\n', 'anything else passes through')
  t.notMatch(request, /\{|"/, 'no JSON left')
})

t.test('GET / and GET /v1 answer with links, as documented', async (t) => {
  const app = await build(t, { siteTitle: 'The Vell Courier' })
  const root = await request(app, t, { method: 'GET', url: '/' })
  t.equal(root.statusCode, 200)
  t.equal(root.json().name, 'The Vell Courier')
  t.match(root.json().links, { api: '/v1', docs: '/docs', openapiJson: '/openapi.json', openapiYaml: '/openapi.yaml', health: '/healthz' })
  const api = await request(app, t, { method: 'GET', url: '/v1/' })
  t.equal(api.statusCode, 200, 'with a trailing slash too')
  t.match(api.json().links, { articles: '/v1/articles', dates: '/v1/dates', authors: '/v1/authors', labels: '/v1/labels' })
  const unknown = await request(app, t, { method: 'GET', url: '/?page=2' })
  t.equal(unknown.statusCode, 400, 'an unknown parameter is refused, as everywhere')
})

t.test('serve prints human lines when stdout is a terminal', async (t) => {
  // util-linux `script` gives the server a pseudo-terminal as stdout.
  const database = tempDatabase(t)
  const command = `env -u NODE_OPTIONS DATABASE_URL=${database} PORT=0 DATELINE_DEMO=false '${process.execPath}' '${compiledCli()}' serve`
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const deadline = Date.now() + 20_000
  while (!/Next: make a token/.test(output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  child.kill('SIGINT')
  t.match(output, /\d\d:\d\d:\d\d INFO {2}Dateline is listening on http:\/\/127\.0\.0\.1:\d+: the API at/, 'a human line', { output })
  t.notMatch(output, /"level":/, 'no JSON')
})
