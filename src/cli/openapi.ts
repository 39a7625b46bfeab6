import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildApp } from '../app.js'

/** The OpenAPI document as the routes generate it, as JSON and YAML text. */
export async function generateOpenApi (): Promise<{ json: string, yaml: string }> {
  const app = await buildApp({ databaseUrl: ':memory:', timezone: 'UTC', locale: 'en-US', demo: false, adminToken: null })
  try {
    await app.ready()
    return { json: `${JSON.stringify(app.swagger(), null, 2)}\n`, yaml: app.swagger({ yaml: true }) }
  } finally {
    await app.close()
  }
}

/** Writes `openapi.json` and `openapi.yaml` into `folder`. */
export async function writeOpenApi (folder: string): Promise<string[]> {
  const { json, yaml } = await generateOpenApi()
  mkdirSync(folder, { recursive: true })
  const files = [join(folder, 'openapi.json'), join(folder, 'openapi.yaml')]
  writeFileSync(files[0]!, json)
  writeFileSync(files[1]!, yaml)
  return files
}
