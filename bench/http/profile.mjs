#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package.
//
//   node bench/http/profile.mjs FILE.cpuprofile [TOP] [SKIP_MS]

import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { root } from './common.mjs'

/** Where a function lives: a package, Dateline's dist/, Node's internals, or V8/GC. */
function placeOf (url) {
  if (url === '') return 'v8/native'
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const inModules = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)
  if (inModules !== null) return inModules.at(-1).replace('node_modules/', '')
  if (path.startsWith('node:')) return 'node'
  if (path.startsWith(root)) return relative(root, path).split('/').slice(0, 2).join('/')
  return path
}

/** `skipMs`: leave out the first milliseconds of the profile (the server's start-up). */
export function summariseProfile (file, top = 10, skipMs = 0) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map()
  let total = 0
  let elapsed = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    elapsed += delta
    if (elapsed < skipMs * 1000) continue
    const node = byId.get(profile.samples[i])
    if (node === undefined) continue
    self.set(node.id, (self.get(node.id) ?? 0) + delta)
    total += delta
  }
  const functions = new Map()
  const places = new Map()
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    const name = functionName === '' ? '(anonymous)' : functionName
    const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url
    const key = `${name} ${path === '' ? '' : `${path}:${lineNumber + 1}`}`.trim()
    functions.set(key, (functions.get(key) ?? 0) + us)
    const place = ['(garbage collector)', '(idle)', '(program)'].includes(name) ? name : placeOf(url)
    places.set(place, (places.get(place) ?? 0) + us)
  }
  const ranked = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Number((100 * us / total).toFixed(1)) }))
  return { totalMs: Math.round(total / 1000), topFunctions: ranked(functions, top), byPlace: ranked(places, 15) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const summary = summariseProfile(process.argv[2], Number(process.argv[3] ?? 10), Number(process.argv[4] ?? 0))
  console.log(JSON.stringify(summary, null, 2))
}
