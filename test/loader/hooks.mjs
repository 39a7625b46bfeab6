// Module hooks that run the project's TypeScript under Node 20 for the tests.
//
// Why not a general-purpose register (@swc-node/register): it loads the TypeScript compiler to
// read tsconfig.json and sends every import, tap's hundreds of modules included, through its own
// resolver, which cost several seconds per test file. The project needs much less: its sources
// import each other by their emitted names (`./x.js` for `./x.ts`, as NodeNext wants), and a
// `.ts` file only needs its types stripped. Type checking is tsc's job (`npm run typecheck`).
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { prebundled } from './prebundle.mjs'
import { transpile } from './transpile.mjs'

const relative = /^\.{1,2}\//

// typebox, drizzle-orm and markdown-it as bundles, when `npm test` has made them (prebundle.mjs
// says why).
const bundles = prebundled()

function isProjectTypeScript (url) {
  return url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/')
}

export async function resolve (specifier, context, nextResolve) {
  const bundle = bundles.get(specifier)
  if (bundle !== undefined) return { url: bundle, format: 'module', shortCircuit: true }
  const parent = context.parentURL
  if (parent !== undefined && isProjectTypeScript(parent) && relative.test(specifier) && specifier.endsWith('.js')) {
    const source = new URL(`${specifier.slice(0, -'.js'.length)}.ts`, parent)
    if (existsSync(fileURLToPath(source))) return { url: source.href, format: 'module', shortCircuit: true }
  }
  return nextResolve(specifier, context)
}

export async function load (url, context, nextLoad) {
  if (!isProjectTypeScript(url)) return nextLoad(url, context)
  const filename = fileURLToPath(url)
  const code = transpile(await readFile(filename, 'utf8'), filename)
  return { format: 'module', source: code, shortCircuit: true }
}
