import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

// Where uploads' files live: one folder per item, named by its key, in the media folder
// (`DATELINE_MEDIA_DIR`). Several instances share media by sharing the folder. A new item's
// files are written to `.staging/` first and moved into place in one rename before its row
// is written (media/service.ts), so a reader never finds a row without its files, and an
// upload that dies while writing leaves only a staged folder, which the sweep removes.

/** A random key: 20 lower-case hex digits, the item's folder name and part of its URLs. */
export function newMediaKey (): string {
  return randomBytes(10).toString('hex')
}

/** What a key looks like: the file server refuses any other path. */
export const mediaKeyPattern = /^[0-9a-f]{20}$/

/** The files the API serves: variants (`{stem}-{width}w.{extension}`); never the original. */
export const variantFilePattern = /^[a-z0-9-]{1,60}-\d{1,5}w\.(?:jpg|png|webp|avif|gif)$/

/**
 * The images that go with a file the CLI writes (a backup, an export): the folder beside it,
 * `<file>.media/`, one folder per image as in the media folder.
 */
export function mediaFolderBeside (file: string): string {
  return `${file}.media`
}

/** The name the original keeps in its folder: no extension, so it is never served. */
export const originalFileName = 'original'

const stagingFolder = '.staging'

/** Staged folders older than this belonged to an upload that died; the sweep removes them. */
const abandonedAfterMs = 60 * 60 * 1000

export class MediaFolder {
  constructor (readonly root: string) {}

  async open (): Promise<void> {
    await mkdir(join(this.root, stagingFolder), { recursive: true })
  }

  /** Writes an item's files where no reader looks yet. */
  async stage (key: string, files: Array<{ name: string, data: Buffer }>): Promise<void> {
    const folder = join(this.root, stagingFolder, key)
    await mkdir(folder, { recursive: true })
    for (const file of files) await writeFile(join(folder, file.name), file.data)
  }

  /** Moves staged files into place (one rename: readers see all of them or none). */
  async publish (key: string): Promise<void> {
    await rename(join(this.root, stagingFolder, key), join(this.root, key))
  }

  /** Removes an item's files, staged or published; nothing there is not an error. */
  async remove (key: string): Promise<void> {
    await rm(join(this.root, stagingFolder, key), { recursive: true, force: true })
    await rm(join(this.root, key), { recursive: true, force: true })
  }

  /** The path of a file of an item (for reading it back: export, backup, tests). */
  pathOf (key: string, file: string): string {
    return join(this.root, key, file)
  }

  /** Image folders last changed more than `ageMs` ago (an upload under way is younger). */
  async keysOlderThan (ageMs: number, now = Date.now()): Promise<string[]> {
    const keys: string[] = []
    for (const name of await readdir(this.root).catch(() => [])) {
      if (!mediaKeyPattern.test(name)) continue
      const { mtimeMs } = await stat(join(this.root, name)).catch(() => ({ mtimeMs: now }))
      if (now - mtimeMs >= ageMs) keys.push(name)
    }
    return keys
  }

  /** Removes staged folders an upload left behind when its process died. */
  async sweepStaging (now = Date.now()): Promise<number> {
    const staging = join(this.root, stagingFolder)
    let removed = 0
    for (const name of await readdir(staging).catch(() => [])) {
      const path = join(staging, name)
      const { mtimeMs } = await stat(path)
      if (now - mtimeMs < abandonedAfterMs) continue
      await rm(path, { recursive: true, force: true })
      removed++
    }
    return removed
  }
}

/** The media folder at `directory`, created if need be; null for none (an in-memory database's demo has no images). */
export async function openMediaFolder (directory: string | null): Promise<MediaFolder | null> {
  if (directory === null) return null
  const folder = new MediaFolder(directory)
  await folder.open()
  return folder
}
