import { percentDecoded } from './text.js'

// Images an export names by address. Nothing is downloaded while importing: an image becomes
// an external media item that keeps its address, fetched later where a network is at hand
// (`dateline media fetch`).

/** The address as an absolute http(s) URL, or null (relative, another scheme, not a URL). */
export function imageAddress (raw: string): URL | null {
  const text = raw.trim()
  if (!URL.canParse(text)) return null
  const url = new URL(text)
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null
}

/** The address's last path segment, decoded: what the item is called in the library. */
export function fileNameOf (url: URL): string {
  const segment = url.pathname.split('/').filter((part) => part !== '').at(-1)
  return segment === undefined ? url.hostname : percentDecoded(segment)
}

/** Extensions and types of the formats the media library takes (media/images.ts). */
const imageExtensions = new Set(['jpg', 'jpeg', 'jpe', 'png', 'gif', 'webp', 'avif'])
const imageMimeTypes = new Set(['image/jpeg', 'image/pjpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'])

/**
 * Why an attachment is not an image the library takes, or null when it is: by its declared
 * type when the export gives one, else by its file's extension. (The bytes decide again when
 * the file is fetched.)
 */
export function notAnImage (url: URL, mimeType: string): string | null {
  const type = mimeType.trim().toLowerCase()
  if (type !== '') return imageMimeTypes.has(type) ? null : `not an image the library takes (${type})`
  const extension = /\.([a-z0-9]+)$/i.exec(url.pathname)?.[1]?.toLowerCase()
  if (extension !== undefined && imageExtensions.has(extension)) return null
  return extension === undefined ? 'not an image the library takes (no file extension)' : `not an image the library takes (.${extension})`
}
