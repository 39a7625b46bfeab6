import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { MediaFolder, originalFileName, type MediaStore } from '../resources/media/storage.js'

// The images in a backup: `<backup file>.media/`, one folder per image as in the media
// folder, whether the server keeps them in a folder or a bucket. Images never change once
// written (a new upload gets a new key), so a backup copies each image once, hard-linking the
// files where the media folder is on the same disk.

export interface MediaCopyReport {
  /** Images copied this time (those already there are left as they are). */
  images: number
  bytes: number
}

/**
 * Copies every image of `source` that the folder `target` lacks. Each is written beside its
 * place and renamed into it, so an interrupted copy leaves no half folder that a later one
 * would take as done. An image deleted while it is being copied is skipped.
 */
export async function copyToFolder (source: MediaStore, target: string): Promise<MediaCopyReport> {
  const report: MediaCopyReport = { images: 0, bytes: 0 }
  let present: Set<string> | null = null
  for await (const key of source.keys()) {
    if (present === null) {
      await mkdir(target, { recursive: true })
      present = new Set(await keysOf(new MediaFolder(target)))
    }
    if (present.has(key)) continue
    const partial = join(target, `.${key}.partial`)
    await rm(partial, { recursive: true, force: true })
    await mkdir(partial)
    const bytes = await copyImage(source, key, partial)
    if (bytes === null) {
      await rm(partial, { recursive: true, force: true })
      continue
    }
    await rename(partial, join(target, key))
    report.images++
    report.bytes += bytes
  }
  return report
}

/** An image's files into `folder`; their size, or null when the image went meanwhile. */
async function copyImage (source: MediaStore, key: string, folder: string): Promise<number | null> {
  const files = await source.files(key)
  if (files.length === 0) return null
  let bytes = 0
  for (const file of files) {
    if (!(await source.copyTo(key, file, join(folder, file)))) return null
    bytes += (await stat(join(folder, file))).size
  }
  return bytes
}

async function keysOf (store: MediaStore): Promise<string[]> {
  const keys: string[] = []
  for await (const key of store.keys()) keys.push(key)
  return keys
}

/**
 * Puts a backup's images (the folder `source`) back into the store the server uses: copied
 * (or linked) into a media folder, or written to a bucket. Images the store has are left alone.
 */
export async function restoreMedia (source: string, target: MediaStore): Promise<MediaCopyReport> {
  const backup = new MediaFolder(source)
  if (target instanceof MediaFolder) return await copyToFolder(backup, target.root)
  const report: MediaCopyReport = { images: 0, bytes: 0 }
  const present = new Set(await keysOf(target))
  for await (const key of backup.keys()) {
    if (present.has(key)) continue
    const files = await Promise.all((await backup.files(key)).map(async (name) => ({ name, data: (await backup.read(key, name))! })))
    await target.put(key, files)
    report.images++
    report.bytes += files.reduce((sum, file) => sum + file.data.length, 0)
  }
  return report
}

/**
 * Puts one image's original in an export's media folder (hard-linked where it can be),
 * replacing one an earlier export to the same file left; false when the image has none any
 * more (deleted while the export ran).
 */
export async function copyOriginal (media: MediaStore, target: string, key: string): Promise<boolean> {
  await mkdir(join(target, key), { recursive: true })
  const to = join(target, key, originalFileName)
  await rm(to, { force: true })
  if (await media.copyTo(key, originalFileName, to)) return true
  await rm(join(target, key), { recursive: true, force: true })
  return false
}
