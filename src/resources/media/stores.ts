import type { MediaLocation } from '../../config.js'
import { MediaFolder, type MediaStore } from './storage.js'

// Opening the store a configuration names, for the CLI and the cluster's primary (the server's
// is opened by plugins/media.ts). A module of its own: the bucket's module loads storage.ts.

/**
 * The store a configuration names: its bucket, or its folder (created if need be); null for
 * none (an in-memory database's demo has no images). The S3 client is loaded only for a bucket.
 */
export async function openMediaStore (location: MediaLocation): Promise<MediaStore | null> {
  if ('bucket' in location) {
    const { MediaBucket } = await import('./s3-store.js')
    const bucket = new MediaBucket(location.bucket)
    try {
      await bucket.verify()
    } catch (error) {
      bucket.close()
      throw error
    }
    return bucket
  }
  if (location.folder === null) return null
  const folder = new MediaFolder(location.folder)
  await folder.open()
  return folder
}

/** Runs `work` with the store a configuration names (null for none), and lets go of it after. */
export async function withMediaStore<T> (location: MediaLocation, work: (media: MediaStore | null) => Promise<T>): Promise<T> {
  const media = await openMediaStore(location)
  try {
    return await work(media)
  } finally {
    media?.close()
  }
}
