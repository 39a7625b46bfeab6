// Issue 15: with the log on a full disk, the server hung in the logger's retry loop.
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import t from 'tap'
import { adminToken, compiledCli, freePort, host, send, waitReady, within, type Exit, type ServerProcess } from './server-process.js'

t.test('a server whose log cannot be written (stdout is /dev/full) starts and answers normally', async (t) => {
  const port = await freePort()
  const full = openSync('/dev/full', 'w')
  t.teardown(() => closeSync(full))
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, compiledCli(), 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: host, DATABASE_URL: ':memory:', DATELINE_DEMO: 'true', DATELINE_ADMIN_TOKEN: adminToken, LOG_LEVEL: 'info' },
    stdio: ['ignore', full, 'pipe']
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const server: ServerProcess = { child, port, output: () => stderr, stderr: () => stderr, exited }

  await waitReady(server)
  for (let i = 0; i < 50; i++) {
    const answer = await within(2000, `request ${i}`, send(port, { path: i % 2 === 0 ? '/v1/articles' : '/healthz' }))
    t.equal(answer.status, 200, `request ${i} answered`)
  }
  const missing = await within(2000, 'a 404', send(port, { path: '/no-such-thing' }))
  t.equal(missing.status, 404)
  t.equal(child.exitCode, null, 'still running')
})
