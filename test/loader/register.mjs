// tap runs every test file with `--import` of this module (package.json "tap"."node-arg").
// It installs test/loader/hooks.mjs, which compiles the project's own TypeScript and leaves
// everything else to Node.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
