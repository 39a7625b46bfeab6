import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that write: each caller on a world of its
// own, since a write changes what the next caller would find. Every fourth write operation here,
// from the first; the others in role-matrix-writes-2.test.ts, -3 and -4 (four files, so that
// each stays well inside tap's two minutes on a slow machine running PostgreSQL).
await runRoleMatrix(t, 'writes', { index: 0, of: 4 })
