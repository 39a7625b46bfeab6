import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { processImage, variantWidths, type ProcessedImage } from '../resources/media/images.js'
import { demoArticles } from './content.js'

// The demo blog's lead images: one illustration per article, drawn here (hills, the river and
// a sky in the colour of the article's first label), so the demo ships no binary files and
// every image is our own. They go through the same processing as an upload.

const width = 1200
const height = 750

/** Each label's sky, so a front page shows the sections at a glance. */
const hueOfLabel: Record<string, number> = { 'Weather': 205, 'Local news': 30, 'City council': 265, 'Transport': 170, 'Culture': 320, 'Business': 45, 'Sport': 110 }

const skyNames: Array<[number, string]> = [[20, 'an orange'], [60, 'a yellow'], [150, 'a green'], [190, 'a turquoise'], [250, 'a blue'], [290, 'a violet'], [340, 'a pink'], [360, 'a red']]

function skyName (hue: number): string {
  return skyNames.find(([upTo]) => hue <= upTo)![1]
}

function illustration (hue: number, seed: number): string {
  const hills = [0, 1, 2].map((layer) => {
    const y = 430 + layer * 70
    return `<path d="M0 ${y} Q ${250 + (seed * 37 + layer * 90) % 300} ${y - 110 - (seed * (layer + 3)) % 70} 600 ${y - 20} T ${width} ${y - 30 - (seed * 11) % 40} V ${height} H 0 Z" fill="hsl(${(hue + 80 + layer * 25) % 360},32%,${46 - layer * 9}%)"/>`
  }).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},55%,62%)"/><stop offset="1" stop-color="hsl(${(hue + 25) % 360},65%,88%)"/></linearGradient></defs>
<rect width="${width}" height="${height}" fill="url(#sky)"/>
<circle cx="${180 + (seed * 97) % 840}" cy="${120 + (seed * 13) % 60}" r="64" fill="hsl(46,95%,74%)"/>
${hills}
<path d="M0 ${height - 105} C 320 ${height - 150} 880 ${height - 50} ${width} ${height - 120} V ${height} H 0 Z" fill="hsl(${(hue + 180) % 360},40%,38%)"/>
</svg>`
}

/** What the demo says of an article's image, known without drawing it (the API examples use it). */
export interface DemoImageFacts {
  /** The article (index in demoArticles) it leads. */
  article: number
  fileName: string
  alt: string
  credit: string
  width: number
  height: number
}

export interface DemoImage extends DemoImageFacts {
  original: Buffer
  image: ProcessedImage
}

function hueOf (index: number): number {
  return hueOfLabel[demoArticles[index]!.labels[0]!] ?? 200
}

export function demoImageFacts (index: number): DemoImageFacts {
  return {
    article: index,
    fileName: `kestermouth-${index + 1}.jpg`,
    alt: `An illustration: green hills above the River Vell under ${skyName(hueOf(index))} sky`,
    credit: 'Illustration: Dateline demo',
    width,
    height
  }
}

/** What the cache is valid for: a change to the drawings or the processing makes a new one. */
const cacheKey = createHash('sha256')
  .update(JSON.stringify([sharp.versions, variantWidths, illustration(0, 0), demoArticles.map((_, index) => demoImageFacts(index))]))
  .update(processImage.toString())
  .digest('hex').slice(0, 16)

const cacheFolder = join(tmpdir(), `dateline-demo-images-${cacheKey}`)

interface CachedImage extends Omit<ProcessedImage, 'variants'> {
  variants: Array<Omit<ProcessedImage['variants'][number], 'data'>>
}

async function fromCache (index: number): Promise<{ original: Buffer, image: ProcessedImage } | null> {
  const folder = join(cacheFolder, String(index))
  try {
    const cached = JSON.parse(await readFile(join(folder, 'image.json'), 'utf8')) as CachedImage
    const variants = await Promise.all(cached.variants.map(async (variant) => ({ ...variant, data: await readFile(join(folder, variant.file)) })))
    return { original: await readFile(join(folder, 'original')), image: { ...cached, variants } }
  } catch {
    return null
  }
}

/** Written to a folder of its own, then renamed: a process reading the cache sees all of an image or none. */
async function toCache (index: number, original: Buffer, image: ProcessedImage): Promise<void> {
  const staging = join(cacheFolder, `.${index}-${process.pid}-${Date.now()}`)
  await mkdir(staging, { recursive: true })
  await writeFile(join(staging, 'original'), original)
  for (const variant of image.variants) await writeFile(join(staging, variant.file), variant.data)
  const { variants, ...rest } = image
  await writeFile(join(staging, 'image.json'), JSON.stringify({ ...rest, variants: variants.map(({ data: _data, ...variant }) => variant) }))
  await rename(staging, join(cacheFolder, String(index))).catch(async () => { await rm(staging, { recursive: true, force: true }) })
}

async function drawn (index: number): Promise<{ original: Buffer, image: ProcessedImage }> {
  const cached = await fromCache(index)
  if (cached !== null) return cached
  const original = await sharp(Buffer.from(illustration(hueOf(index), index + 1))).jpeg({ quality: 88 }).toBuffer()
  const image = await processImage(original, demoImageFacts(index).fileName, { maxPixels: width * height })
  await toCache(index, original, image).catch(() => {})
  return { original, image }
}

let images: Promise<DemoImage[]> | undefined

/**
 * Every demo article's image, made once per process (and kept in the system's temporary
 * folder between processes: processing them takes seconds, and a test run seeds many demos).
 */
export async function demoImages (): Promise<DemoImage[]> {
  images ??= (async () => {
    const made: DemoImage[] = []
    for (const index of demoArticles.keys()) {
      made.push({ ...demoImageFacts(index), ...await drawn(index) })
    }
    return made
  })().catch((error: unknown) => {
    images = undefined
    throw error
  })
  return await images
}
