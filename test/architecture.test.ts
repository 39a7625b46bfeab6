import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { bundledEntryPoints } from './loader/prebundle.mjs'

// The layering README "## Architecture" describes, checked on the source: these rules are easy
// to break by one convenient import, and nothing else would notice until a cycle bit at start-up.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

// `import … from '…'` and `export … from '…'`, over several lines too, and `import('…')`.
const specifierPattern = /^\s*((?:import|export)\b[^;'"]*?)\bfrom\s*'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm

interface Import {
  /** The module imported, relative to the repository. */
  target: string
  /** Erased by the compiler (`import type`, or every name `type`): no dependency at run time. */
  typeOnly: boolean
}

function isTypeOnly (clause: string): boolean {
  if (/^\s*(?:import|export)\s+type\b/.test(clause)) return true
  const names = /\{([^}]*)\}/.exec(clause)
  if (names === null || /^\s*import\s+[\w$]+\s*,/.test(clause)) return false
  return names[1]!.split(',').map((name) => name.trim()).filter((name) => name !== '').every((name) => name.startsWith('type '))
}

/** The modules under src/ that `file` imports. */
function importsOf (file: string): Import[] {
  const text = readFileSync(file, 'utf8')
  const found: Import[] = []
  for (const match of text.matchAll(specifierPattern)) {
    const specifier = match[2] ?? match[3] ?? match[4]!
    if (!specifier.startsWith('.')) continue
    const target = relative(root, resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
    found.push({ target, typeOnly: match[1] !== undefined && isTypeOnly(match[1]) })
  }
  return found
}

const imports = new Map(sourceFiles(src).map((file) => [relative(root, file), importsOf(file)]))
/** Every module's imports, types included: what a module depends on, for the layering rules. */
const graph = new Map([...imports].map(([file, list]) => [file, list.map((found) => found.target)]))
/**
 * The imports that load a module at run time. A cycle of these makes one module run against
 * another's half-initialised exports; a type-only cycle (a query interface and the dialect
 * modules that implement it) is erased by the compiler.
 */
const runtimeGraph = new Map([...imports].map(([file, list]) => [file, list.filter((found) => !found.typeOnly).map((found) => found.target)]))

/** Every cycle's path (the first file again at its end), found by a depth-first walk. */
function cyclesIn (edges: Map<string, string[]>): string[][] {
  const done = new Set<string>()
  const onPath: string[] = []
  const cycles: string[][] = []
  const visit = (file: string): void => {
    const at = onPath.indexOf(file)
    if (at !== -1) {
      cycles.push([...onPath.slice(at), file])
      return
    }
    if (done.has(file)) return
    onPath.push(file)
    for (const next of edges.get(file) ?? []) visit(next)
    onPath.pop()
    done.add(file)
  }
  for (const file of [...edges.keys()].sort()) visit(file)
  return cycles
}

t.test('the import graph reads every module under src/', async (t) => {
  t.ok(graph.size > 100, `${graph.size} modules`)
  const unresolved = [...graph].flatMap(([file, imports]) => imports.filter((target) => !graph.has(target)).map((target) => `${file} → ${target}`))
  t.same(unresolved, [], 'every relative import names a module the walk knows')
  t.ok(graph.get('src/resources/articles/service.ts')!.includes('src/resources/articles/queries.ts'), 'multi-name imports are seen')
  t.ok(graph.get('src/resources/articles/service.ts')!.includes('src/resources/articles/schemas.ts'), 'imports over several lines are seen')
  t.ok(graph.get('src/resources/articles/queries.sqlite.ts')!.includes('src/resources/articles/queries.ts'), 'type-only imports count for layering')
  t.notOk(runtimeGraph.get('src/resources/articles/queries.sqlite.ts')!.includes('src/resources/articles/queries.ts'), 'and not at run time')
  t.ok(runtimeGraph.get('src/resources/articles/queries.ts')!.includes('src/resources/articles/queries.sqlite.ts'), 'a value import is a run-time one')
})

t.test('the cycle check finds a cycle when there is one', async (t) => {
  const edges = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []]])
  t.same(cyclesIn(edges), [['a', 'b', 'c', 'a']])
  t.same(cyclesIn(new Map([['a', ['b']], ['b', []]])), [])
})

t.test('no module under src/ loads itself through others at run time', async (t) => {
  t.same(cyclesIn(runtimeGraph).map((cycle) => cycle.join(' → ')), [])
})

const isQueryImplementation = (file: string): boolean => /\/queries\.(sqlite|postgres)\.ts$/.test(file)

t.test('only the app, plugins and routes depend on plugins: services run without a server (the CLI, tests)', async (t) => {
  const mayUsePlugins = (file: string): boolean => file === 'src/app.ts' || file.startsWith('src/plugins/') || file.endsWith('/routes.ts')
  const offending = [...graph]
    .filter(([file]) => !mayUsePlugins(file))
    .flatMap(([file, imports]) => imports.filter((target) => target.startsWith('src/plugins/')).map((target) => `${file} → ${target}`))
  t.same(offending, [])
})

t.test('services and routes reach a database through the query interface, never a dialect\'s module', async (t) => {
  const offending = [...graph]
    .filter(([file]) => /\/(service|routes)\.ts$/.test(file) || file.startsWith('src/resources/import/formats/'))
    .flatMap(([file, imports]) => imports.filter(isQueryImplementation).map((target) => `${file} → ${target}`))
  t.same(offending, [])
})

t.test('a resource\'s dialect modules are imported only by its own query interface', async (t) => {
  const offending = [...graph].flatMap(([file, imports]) => imports
    .filter((target) => isQueryImplementation(target) && target.startsWith('src/resources/') && relative(dirname(target), file) !== 'queries.ts')
    .map((target) => `${file} → ${target}`))
  t.same(offending, [])
})

t.test('routes reach rows through services: never a query module or the read view, nor another resource\'s internals', async (t) => {
  const isRowAccess = (target: string): boolean => /\/(queries(\.\w+)?|view|visibility)\.ts$/.test(target)
  const isOtherResourcesInternal = (file: string, target: string): boolean =>
    target.startsWith('src/resources/') && dirname(target) !== dirname(file) && !/\/(service|schemas)\.ts$/.test(target)
  const offending = [...graph]
    .filter(([file]) => file.startsWith('src/resources/') && file.endsWith('/routes.ts'))
    .flatMap(([file, imports]) => imports
      .filter((target) => isRowAccess(target) || isOtherResourcesInternal(file, target))
      .map((target) => `${file} → ${target}`))
  t.same(offending, [])
})

t.test('the tests\' loader bundles every typebox, drizzle-orm and markdown-it entry point the code imports: a second copy would split their classes', async (t) => {
  const files = ['src', 'test', 'scripts'].flatMap((dir) => sourceFiles(join(root, dir)))
  const imported = new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/from '((?:typebox|drizzle-orm|markdown-it)(?:\/[^']*)?)'/g)].map((match) => match[1]!)))
  t.ok(imported.size >= 5, `${imported.size} entry points imported`)
  t.same([...imported].filter((specifier) => !bundledEntryPoints.includes(specifier)).sort(), [])
})
