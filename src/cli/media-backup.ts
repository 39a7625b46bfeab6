import { copyFile, link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { mediaKeyPattern, originalFileName } from '../resources/media/storage.js'

// The media folder in a backup: `<backup file>.media/`, one folder per image as in the live
// folder. Images never change once written (a new upload gets a new key), so a backup copies
// each image's folder once, hard-linking the files where the backup is on the same disk.

export interface MediaCopyReport {
  /** Image folders copied this time (those already there are left as they are). */
  images: number
  bytes: number
}

async function imageKeys (folder: string): Promise<string[]> {
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  return names.filter((name) => mediaKeyPattern.test(name))
}

async function copyOrLink (from: string, to: string): Promise<void> {
  try {
    await link(from, to)
  } catch {
    await copyFile(from, to)
  }
}

/**
 * Copies every image folder of `source` that `target` lacks. Each is written beside its place
 * and renamed into it, so an interrupted copy leaves no half folder that a later one would
 * take as done. An image deleted while it is being copied is skipped.
 */
export async function copyMediaFolders (source: string, target: string): Promise<MediaCopyReport> {
  const report: MediaCopyReport = { images: 0, bytes: 0 }
  const keys = await imageKeys(source)
  if (keys.length === 0) return report
  await mkdir(target, { recursive: true })
  const present = new Set(await imageKeys(target))
  for (const key of keys) {
    if (present.has(key)) continue
    const partial = join(target, `.${key}.partial`)
    await rm(partial, { recursive: true, force: true })
    await mkdir(partial)
    try {
      let bytes = 0
      for (const file of await readdir(join(source, key))) {
        await copyOrLink(join(source, key, file), join(partial, file))
        bytes += (await stat(join(partial, file))).size
      }
      await rename(partial, join(target, key))
      report.images++
      report.bytes += bytes
    } catch (error) {
      await rm(partial, { recursive: true, force: true })
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  return report
}

/**
 * Puts one image's original in an export's media folder (hard-linked where it can be),
 * replacing one an earlier export to the same file left; false when the image has none any
 * more (deleted while the export ran).
 */
export async function copyOriginal (mediaFolder: string, target: string, key: string): Promise<boolean> {
  await mkdir(join(target, key), { recursive: true })
  const to = join(target, key, originalFileName)
  await rm(to, { force: true })
  try {
    await copyOrLink(join(mediaFolder, key, originalFileName), to)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    await rm(join(target, key), { recursive: true, force: true })
    return false
  }
}
