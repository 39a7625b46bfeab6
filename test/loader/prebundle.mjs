// Bundles the libraries whose ES module trees are most of what a test process loads: typebox
// (about 700 modules), drizzle-orm (about 150) and markdown-it (about 50). Under module hooks
// every module costs a round trip to the hooks thread, and each test file is a process of its
// own; one bundle per entry point (with the code they share split into common chunks, so each
// class exists once) takes the tests' start-up from about 1,100 modules to about 200.
//
// `npm test` runs this first; the hooks resolve these entry points to the bundles when the
// manifest for the installed versions exists, and to the packages as usual otherwise. dist/
// and production never see the bundles.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The entry points the sources import (a test checks the list against them). */
export const bundledEntryPoints = [
  'typebox',
  'typebox/compile',
  'drizzle-orm',
  'drizzle-orm/sqlite-core',
  'drizzle-orm/pg-core',
  'drizzle-orm/better-sqlite3',
  'drizzle-orm/better-sqlite3/migrator',
  'drizzle-orm/node-postgres',
  'drizzle-orm/node-postgres/migrator',
  'markdown-it'
]

function versionOf (name) {
  return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version
}

/** Where the bundles of the installed versions live: a new install gets new bundles. */
function bundleDir () {
  const key = createHash('sha256')
    .update(JSON.stringify([bundledEntryPoints, versionOf('typebox'), versionOf('drizzle-orm'), versionOf('markdown-it'), versionOf('esbuild')]))
    .digest('hex').slice(0, 16)
  return join(root, 'node_modules', '.cache', 'dateline', 'prebundle', key)
}

/** Specifier → file URL of its bundle, or an empty map while there are none. */
export function prebundled () {
  const manifest = join(bundleDir(), 'manifest.json')
  if (!existsSync(manifest)) return new Map()
  return new Map(Object.entries(JSON.parse(readFileSync(manifest, 'utf8'))))
}

async function build () {
  const target = bundleDir()
  if (existsSync(join(target, 'manifest.json'))) return
  const { build } = await import('esbuild')
  // Built beside, then renamed into place: test processes never see half a bundle.
  const staging = `${target}.${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  const names = bundledEntryPoints.map((specifier) => specifier.replace(/\W+/g, '_'))
  await build({
    entryPoints: Object.fromEntries(bundledEntryPoints.map((specifier, i) => [names[i], fileURLToPath(import.meta.resolve(specifier))])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Only these libraries' own modules: any other package stays an import of its own.
    packages: 'external',
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error'
  })
  const manifest = Object.fromEntries(bundledEntryPoints.map((specifier, i) => [specifier, pathToFileURL(join(target, `${names[i]}.mjs`)).href]))
  writeFileSync(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2))
  mkdirSync(dirname(target), { recursive: true })
  try {
    renameSync(staging, target)
  } catch (error) {
    // Another run got there first.
    rmSync(staging, { recursive: true, force: true })
    if (!existsSync(join(target, 'manifest.json'))) throw error
  }
  process.stderr.write(`prebundled ${bundledEntryPoints.length} entry points into ${relative(root, target)}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build()
