// TypeScript to JavaScript for the tests, file by file: types stripped, nothing checked (tsc's
// job, `npm run typecheck`). Used by the module hooks and by the compiled copy of the sources
// that the server-process tests start.
import { transformSync } from '@swc/core'

/**
 * `source` of `filename` as an ES module. `inlineSourceMap`: so stack traces and tap's coverage
 * map back to the TypeScript lines.
 */
export function transpile (source, filename, { inlineSourceMap = true } = {}) {
  return transformSync(source, {
    filename,
    swcrc: false,
    configFile: false,
    sourceMaps: inlineSourceMap ? 'inline' : false,
    module: { type: 'es6' },
    jsc: {
      parser: { syntax: 'typescript' },
      target: 'es2022',
      // As tsconfig.json: imports are kept or dropped exactly as written (`import type` is dropped).
      transform: { verbatimModuleSyntax: true, useDefineForClassFields: true }
    }
  }).code
}
