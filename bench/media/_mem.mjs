import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { memoryOf } from '../http/common.mjs'
const [file, step, cache, conc] = process.argv.slice(2)
if (cache === 'nocache') sharp.cache(false)
if (conc) sharp.concurrency(Number(conc))
const input = readFileSync(file)
const before = memoryOf(process.pid)
const master = await sharp(input).autoOrient().resize({ width: 2048 }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
const m1 = memoryOf(process.pid)
const from = () => sharp(master.data, { raw: master.info })
const t = performance.now()
for (const w of [320, 640, 1024, 1600, 2048]) {
  if (step === 'jpeg' || step === 'all') await from().resize({ width: w }).jpeg({ quality: 82, mozjpeg: true }).toBuffer()
  if (step === 'webp' || step === 'all') await from().resize({ width: w }).webp({ quality: 80 }).toBuffer()
  if (step === 'avif' || step === 'all') await from().resize({ width: w }).avif({ quality: 55, effort: 2 }).toBuffer()
}
const m2 = memoryOf(process.pid)
console.log(step, cache, conc ?? '-', 'start', before.rssMegabytes.toFixed(0), 'after master peak', m1.peakRssMegabytes.toFixed(0), 'after encodes peak', m2.peakRssMegabytes.toFixed(0), 'rss', m2.rssMegabytes.toFixed(0), 'ms', Math.round(performance.now() - t), 'cpu', JSON.stringify(process.cpuUsage()))
