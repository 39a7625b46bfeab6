import t from 'tap'
import sharp from 'sharp'
import { build, request, adminSecret, bearer } from '../helper.js'
import { photo, uploaded, upload } from '../media.js'
t.test('smoke', async (t) => {
  const app = await build(t, { logger: { level: 'error' } })
  const item = await uploaded(app, t, { name: 'Bridge.JPG', data: await photo(1200, 800, { gps: true }) }, { alt: 'A bridge' })
  console.log(JSON.stringify(item, null, 1).slice(0, 1500))
  const file = await app.inject({ method: 'GET', url: item.variants[1].url })
  console.log(file.statusCode, file.headers, file.rawPayload.length)
  const m = await sharp(file.rawPayload).metadata(); console.log(m.format, m.width, m.exif)
  const bad = await upload(app, t, { name: 'x.jpg', data: Buffer.from('<svg/>') })
  console.log(bad.statusCode, bad.body)
  const json = await app.inject({ method: 'POST', url: '/v1/media', headers: bearer(adminSecret), payload: { a: 1 } })
  console.log(json.statusCode, json.body)
  const list = await request(app, t, { method: 'GET', url: '/v1/media?q=bridge', headers: bearer(adminSecret) })
  console.log(list.statusCode, list.json().meta)
  const orig = await app.inject({ method: 'GET', url: item.variants[1].url.replace(/[^/]+$/, 'original') })
  console.log('original', orig.statusCode, orig.headers['content-type'])
})
