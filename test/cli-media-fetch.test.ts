import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { cli, cliDatabase, lines } from './cli-run.js'
import { adminSecret, bearer, build, request } from './helper.js'
import { imageServer, served, wxrWithImages } from './image-server.js'

// `dateline media fetch` (issue 21), run through runCli against a web server on 127.0.0.1:
// a line per item on stderr, a summary on stdout, exit 1 while any item failed, and the
// fetched images served by an app on the same database and media folder.

type Item = Record<string, any>

t.test('media fetch downloads imported images into the media folder the server uses', async (t) => {
  const server = await imageServer(t)
  const { dir, file, env } = cliDatabase(t)
  const exportFile = join(dir, 'harbour.xml')
  writeFileSync(exportFile, wxrWithImages([server.url(served.harbour), server.url(served.missing)]))
  t.equal((await cli(['import', exportFile], env)).code, 0, 'the export imports')

  const refused = await cli(['media', 'fetch'], env)
  t.equal(refused.code, 1, 'without --allow-private, exits 1: nothing could be fetched')
  t.same(lines(refused.stderr).map((line) => line.replace(/media \d+/, 'media N')), [
    `[1/2] media N harbour.jpg: failed, 127.0.0.1 is 127.0.0.1, not a public address (--allow-private allows it) (${server.url(served.harbour)}); left external`,
    `[2/2] media N missing.jpg: failed, 127.0.0.1 is 127.0.0.1, not a public address (--allow-private allows it) (${server.url(served.missing)}); left external`
  ], 'a line per item, with its reason')
  t.equal(refused.stdout, 'Fetched 0 of 2 external images; 2 failed and stay external (see above).\n')
  t.same(server.requests, [], 'nothing was asked of the server')

  const run = await cli(['media', 'fetch', '--allow-private'], env)
  t.equal(run.code, 1, 'exits 1 while an item failed')
  t.match(lines(run.stderr), [/^\[1\/2\] media \d+ harbour\.jpg: fetched, 700×500, 9 variants$/, /^\[2\/2\] media \d+ missing\.jpg: failed, the server answered 404 \(.*\); left external$/])
  t.equal(run.stdout, 'Fetched 1 of 2 external images; 1 failed and stay external (see above).\n')

  const again = await cli(['media', 'fetch', '--allow-private'], env)
  t.match(lines(again.stderr), [/^\[1\/1\] media \d+ missing\.jpg: failed, the server answered 404/], 'a second run tries only what is still external')

  const app = await build(t, { databaseUrl: file })
  const media = (await request(app, t, { method: 'GET', url: '/v1/media?sort=fileName', headers: bearer(adminSecret) })).json().data as Item[]
  t.same(media.map((item) => [item.fileName, item.source]), [['harbour.jpg', 'upload'], ['missing.jpg', 'external']])
  for (const variant of media[0]!.variants as Item[]) {
    const served = await app.inject({ method: 'GET', url: variant.url })
    t.same([served.statusCode, served.headers['content-type'], served.rawPayload.length], [200, variant.type, variant.bytes], `the app serves ${variant.url as string}`)
  }
})

t.test('media fetch with nothing to fetch says so and exits 0; media without fetch is a usage error', async (t) => {
  const { env } = cliDatabase(t)
  const run = await cli(['media', 'fetch'], env)
  t.same([run.code, run.stdout, run.stderr], [0, 'No external images to fetch.\n', ''])
  const bare = await cli(['media'], env)
  t.equal(bare.code, 2)
  t.match(bare.stderr, /^dateline: media needs fetch\n/)
})
