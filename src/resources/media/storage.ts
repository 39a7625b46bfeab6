import { randomBytes } from 'node:crypto'
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

// Where uploads' files live: one folder per item, named by its key, in the media folder
// (`DATELINE_MEDIA_DIR`), or one prefix per item in an S3-compatible bucket (s3-store.ts).
// Several instances share media by sharing the folder or the bucket. Every file of a new item
// is in place before its row is written (media/service.ts), so a reader never finds a row
// without its files; an upload that dies while writing leaves files no row names, which the
// sweep removes.

/** A random key: 20 lower-case hex digits, the item's folder name and part of its URLs. */
export function newMediaKey (): string {
  return randomBytes(10).toString('hex')
}

/** What a key looks like: the file server refuses any other path. */
export const mediaKeyPattern = /^[0-9a-f]{20}$/

/** The files the API serves: variants (`{stem}-{width}w.{extension}`); never the original. */
export const variantFilePattern = /^[a-z0-9-]{1,60}-\d{1,5}w\.(?:jpg|png|webp|avif|gif)$/

const contentTypes: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif'
}

/** Variants never change once written (a new upload gets a new key): cached for a year. */
export const immutableCacheControl = 'public, max-age=31536000, immutable'

/** A variant's content type, from the extension we wrote from its detected format. */
export function contentTypeOf (file: string): string {
  return contentTypes[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream'
}

/**
 * The images that go with a file the CLI writes (a backup, an export): the folder beside it,
 * `<file>.media/`, one folder per image as in the media folder.
 */
export function mediaFolderBeside (file: string): string {
  return `${file}.media`
}

/** The name the original keeps in its folder: no extension, so it is never served. */
export const originalFileName = 'original'

export interface MediaFile {
  name: string
  data: Buffer
}

/** What the API, the CLI and the sweep need of the place images are kept. */
export interface MediaStore {
  /** Where the files are, for people: a folder's path, or `s3://bucket/prefix`. */
  readonly location: string
  /** Fails with the reason when the store cannot be used (a bucket that is not there is found at start-up, not at the first upload). */
  verify: () => Promise<void>
  /** Writes a new item's files; when it resolves, every one is in place. Nothing is left of them when it fails. */
  put: (key: string, files: MediaFile[]) => Promise<void>
  /** Removes an item's files; nothing there is not an error. */
  remove: (key: string) => Promise<void>
  /** Every item's key, in no set order. */
  keys: () => AsyncIterable<string>
  /** An item's file names (none for an item that is not there). */
  files: (key: string) => Promise<string[]>
  /** One file of an item; null when it is not there. */
  read: (key: string, file: string) => Promise<Buffer | null>
  /** Copies one file of an item to `path` on disk; false when it is not there. */
  copyTo: (key: string, file: string, path: string) => Promise<boolean>
  /** Items written more than `ageMs` ago (an upload under way is younger). */
  keysOlderThan: (ageMs: number, now?: number) => Promise<string[]>
  /** Removes what uploads whose process died left where the store stages writes; answers how many. */
  sweepStaging: (now?: number) => Promise<number>
  /** Lets go of connections (a bucket's client). */
  close: () => void
}

const stagingFolder = '.staging'

/** Staged folders older than this belonged to an upload that died; the sweep removes them. */
const abandonedAfterMs = 60 * 60 * 1000

/** A file-system error that means "not there". */
function isMissing (error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT'
}

/**
 * The media folder. A new item's files are written to `.staging/{key}` and moved into place
 * in one rename, so readers see all of them or none, and an upload that dies while writing
 * leaves only a staged folder.
 */
export class MediaFolder implements MediaStore {
  constructor (readonly root: string) {}

  get location (): string {
    return this.root
  }

  async verify (): Promise<void> {}

  close (): void {}

  async open (): Promise<void> {
    await mkdir(join(this.root, stagingFolder), { recursive: true })
  }

  async put (key: string, files: MediaFile[]): Promise<void> {
    const staged = join(this.root, stagingFolder, key)
    try {
      await mkdir(staged, { recursive: true })
      for (const file of files) await writeFile(join(staged, file.name), file.data)
      await rename(staged, join(this.root, key))
    } catch (error) {
      await this.remove(key)
      throw error
    }
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

  async * keys (): AsyncGenerator<string> {
    const names = await readdir(this.root).catch((error: unknown) => {
      if (isMissing(error)) return []
      throw error
    })
    yield * names.filter((name) => mediaKeyPattern.test(name))
  }

  async files (key: string): Promise<string[]> {
    return await readdir(join(this.root, key)).catch((error: unknown) => {
      if (isMissing(error)) return []
      throw error
    })
  }

  async read (key: string, file: string): Promise<Buffer | null> {
    return await readFile(this.pathOf(key, file)).catch((error: unknown) => {
      if (isMissing(error)) return null
      throw error
    })
  }

  /** Hard-linked where `path` is on the same disk: the files never change once written. */
  async copyTo (key: string, file: string, path: string): Promise<boolean> {
    try {
      await link(this.pathOf(key, file), path).catch(async (error: unknown) => {
        if (isMissing(error)) throw error
        await copyFile(this.pathOf(key, file), path)
      })
      return true
    } catch (error) {
      if (isMissing(error)) return false
      throw error
    }
  }

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
