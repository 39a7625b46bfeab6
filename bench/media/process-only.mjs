// One image's work without HTTP, the database or the disk, in a process of its own (pinned to
// CPU 0 by bench/media.mjs) so its peak RSS is the work's alone. Prints one JSON line.
//
//   node bench/media/process-only.mjs decode FILE RUNS   # sharp: decode, orient, shrink to 2048 wide, raw pixels
//   node bench/media/process-only.mjs app FILE RUNS      # the app's processImage (dist/): every variant, in memory

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { memoryOf, root } from '../http/common.mjs'

const [mode, file, runsText] = process.argv.slice(2)
const input = readFileSync(file)
const { processImage } = await import(join(root, 'dist', 'resources', 'media', 'images.js'))

// The same first step as processImage's master: what decoding a large JPEG needs at least.
const work = mode === 'decode'
  ? async () => await sharp(input, { failOn: 'error' }).autoOrient().resize({ width: 2048, withoutEnlargement: true }).toColourspace('srgb').raw().toBuffer()
  : async () => await processImage(input, 'photo.jpg', { maxPixels: 100_000_000 })
if (mode !== 'decode' && mode !== 'app') throw new Error(`mode must be decode or app, not ${mode}`)

const before = memoryOf(process.pid)
const ms = []
const cpuMs = []
for (let i = 0; i < Number(runsText); i++) {
  const started = performance.now()
  const cpu = process.cpuUsage()
  await work()
  ms.push(performance.now() - started)
  const used = process.cpuUsage(cpu)
  cpuMs.push((used.user + used.system) / 1000)
}
const after = memoryOf(process.pid)
process.stdout.write(JSON.stringify({ mode, ms, cpuMs, rssBeforeMegabytes: before.rssMegabytes, peakRssMegabytes: after.peakRssMegabytes, rssAfterMegabytes: after.rssMegabytes }) + '\n')
