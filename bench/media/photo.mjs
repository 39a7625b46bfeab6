// A photo-like JPEG for the media benchmark: what a camera gives, not a flat test card.
// Smooth colour fields (low-resolution noise enlarged), grain at a few pixels' scale (a
// phone's sensor noise, which is what makes a camera JPEG big) and hard edges (shapes), so
// the decoder, the resizer and the encoders get the work a real upload gives them.

import sharp from 'sharp'
import { mulberry32 } from '../http/common.mjs'

function noise (random, width, height, channels) {
  const data = Buffer.alloc(width * height * channels)
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256)
  return data
}

/** Shapes with hard edges, some thin lines among them, as an SVG the size of the photo. */
function shapes (random, width, height) {
  const items = []
  const colour = () => `rgb(${Math.floor(random() * 256)},${Math.floor(random() * 256)},${Math.floor(random() * 256)})`
  for (let i = 0; i < 60; i++) {
    const x = Math.round(random() * width)
    const y = Math.round(random() * height)
    const size = Math.round((0.02 + random() * 0.15) * width)
    items.push(i % 3 === 0
      ? `<circle cx="${x}" cy="${y}" r="${size / 2}" fill="${colour()}" fill-opacity="0.55"/>`
      : i % 3 === 1
        ? `<rect x="${x}" y="${y}" width="${size}" height="${Math.round(size * 0.6)}" fill="${colour()}" fill-opacity="0.5"/>`
        : `<line x1="${x}" y1="${y}" x2="${x + size * 2}" y2="${y + size}" stroke="${colour()}" stroke-width="${Math.max(2, Math.round(width / 1500))}"/>`)
  }
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${items.join('')}</svg>`)
}

/** A `width`×`height` JPEG at `quality`, the same picture for the same seed. */
export async function photoJpeg (width, height, { seed = 21, quality = 90 } = {}) {
  const random = mulberry32(seed)
  // A dozen muted colour fields across, blurred into each other: sky, walls, faces.
  const fields = await sharp(noise(random, 12, 8, 3), { raw: { width: 12, height: 8, channels: 3 } })
    .linear(0.6, 50).resize(Math.round(width / 10), Math.round(height / 10), { kernel: 'cubic', fit: 'fill' }).blur(width / 600).raw().toBuffer({ resolveWithObject: true })
    .then(({ data, info }) => sharp(data, { raw: info }).resize(width, height, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer())
  // Texture at two scales in one grey layer: foliage, fabric (~12 px) and grain (~2 px).
  const grey = async (scale, amount) => {
    const w = Math.round(width / scale)
    const h = Math.round(height / scale)
    return await sharp(noise(random, w, h, 1), { raw: { width: w, height: h, channels: 1 } })
      .resize(width, height, { kernel: 'cubic', fit: 'fill' }).linear(amount, 128 * (1 - amount)).raw().toBuffer()
  }
  const texture = await grey(12, 0.8)
  const grainLayer = await grey(2, 0.6)
  for (let i = 0; i < texture.length; i++) texture[i] = (texture[i] + grainLayer[i]) >> 1
  const grain = await sharp(texture, { raw: { width, height, channels: 1 } }).toColourspace('srgb').raw().toBuffer()
  return await sharp(fields, { raw: { width, height, channels: 3 } })
    .composite([
      { input: shapes(random, width, height) },
      { input: grain, raw: { width, height, channels: 3 }, blend: 'soft-light' }
    ])
    .jpeg({ quality })
    .toBuffer()
}
