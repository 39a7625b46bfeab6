import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { MediaFolder } from '../../src/resources/media/storage.js'
import { mediaStoreContract } from '../media-store-contract.js'

// The media folder keeps the store's contract (test/media-store-contract.ts).

mediaStoreContract(t, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'dateline-folder-store-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const folder = new MediaFolder(root)
  await folder.open()
  return folder
})
