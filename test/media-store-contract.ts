import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { newMediaKey, type MediaStore } from '../src/resources/media/storage.js'

// What every media store does, the folder's and the bucket's alike: the media routes, the
// sweep, backups and exports rely on nothing else. test/resources/media-folder-store.test.ts
// runs it on a folder, test/s3/media-bucket-store.test.ts on a bucket of a real S3 server.

const files = [
  { name: 'original', data: Buffer.from('the original bytes') },
  { name: 'mill-320w.jpg', data: Buffer.alloc(3000, 7) },
  { name: 'mill-320w.webp', data: Buffer.alloc(2000, 9) }
]

async function keysOf (store: MediaStore): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.keys()) keys.push(key)
  return keys.sort()
}

export function mediaStoreContract (t: Test, open: (t: Test) => Promise<MediaStore>): void {
  t.test('an item put is listed, read and copied whole; removed, nothing of it is left', async (t) => {
    const store = await open(t)
    const key = newMediaKey()
    const other = newMediaKey()
    await store.put(key, files)
    await store.put(other, files.slice(0, 1))
    t.same(await keysOf(store), [key, other].sort(), 'both keys')
    t.same((await store.files(key)).sort(), files.map((file) => file.name).sort(), 'every file')
    t.same(await store.read(key, 'mill-320w.jpg'), files[1]!.data, 'a file reads back byte for byte')
    t.equal(await store.read(key, 'mill-640w.jpg'), null, 'a file never written reads as null')
    t.equal(await store.read(newMediaKey(), 'original'), null, 'so does any file of a key never put')

    const dir = mkdtempSync(join(tmpdir(), 'dateline-store-contract-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    t.equal(await store.copyTo(key, 'original', join(dir, 'original')), true)
    t.same(readFileSync(join(dir, 'original')), files[0]!.data, 'copied to disk byte for byte')
    t.equal(await store.copyTo(key, 'nothing.jpg', join(dir, 'nothing.jpg')), false, 'a missing file is not copied')

    await store.remove(key)
    t.same(await store.files(key), [], 'no file is left')
    t.equal(await store.read(key, 'original'), null)
    t.same(await keysOf(store), [other], 'the other item stays')
    await store.remove(key)
    t.pass('removing what is not there is no error')
  })

  t.test('an item just written is young; past the age asked, it is old', async (t) => {
    const store = await open(t)
    const key = newMediaKey()
    await store.put(key, files)
    t.same(await store.keysOlderThan(60_000), [], 'not a minute old')
    t.same(await store.keysOlderThan(0), [key], 'older than nothing')
    t.same(await store.keysOlderThan(60_000, Date.now() + 120_000), [key], 'two minutes on, older than a minute')
    t.equal(await store.sweepStaging(), 0, 'nothing staged is left behind by a put that finished')
  })

  t.test('verify passes for a store that is there', async (t) => {
    const store = await open(t)
    await store.verify()
    t.pass('verified')
  })
}
