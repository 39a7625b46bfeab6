import type { FeaturedImage } from '@dateline/client'
import { h } from './dom.ts'

// An article's image as the API embeds it: `<picture>` with the modern formats first, an
// `<img>` with every width of the fallback format, its alt text, and its credit beneath.
// Image URLs start at the API's origin, which is not this page's.

function absolute (url: string, apiBase: string): string {
  return new URL(url, apiBase).href
}

/** A `srcset` with each candidate's URL made absolute (URLs we serve have no commas or spaces). */
export function absoluteSrcset (srcset: string, apiBase: string): string {
  return srcset.split(', ').filter((candidate) => candidate !== '').map((candidate) => {
    const [url = '', width = ''] = candidate.split(' ')
    return `${absolute(url, apiBase)} ${width}`.trim()
  }).join(', ')
}

export function leadImage (image: FeaturedImage, apiBase: string, sizes: string): HTMLElement {
  const img = h('img', {
    src: absolute(image.url, apiBase),
    alt: image.alt,
    loading: 'lazy',
    decoding: 'async',
    ...(image.srcset === '' ? {} : { srcset: absoluteSrcset(image.srcset, apiBase), sizes }),
    ...(image.width === null || image.height === null ? {} : { width: String(image.width), height: String(image.height) })
  })
  // The colour, then the blurred placeholder, show until the image arrives.
  if (image.dominantColor !== null) img.style.backgroundColor = image.dominantColor
  if (image.placeholder !== null) img.style.backgroundImage = `url("${image.placeholder}")`
  const picture = h('picture', {}, image.sources.map((source) => h('source', { type: source.type, srcset: absoluteSrcset(source.srcset, apiBase), sizes })), img)
  const caption = [image.caption, image.credit].filter((text) => text !== '').join(' · ')
  return h('figure', { class: 'lead-image' }, picture, caption === '' ? null : h('figcaption', {}, caption))
}
