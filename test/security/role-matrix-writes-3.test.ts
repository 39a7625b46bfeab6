import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that write: each caller on a world of its
// own, since a write changes what the next caller would find. Every fourth write operation here,
// from the third; the others in role-matrix-writes-1.test.ts, -2 and -4 (four files, so that
// each stays well inside tap's two minutes on a slow machine running PostgreSQL).
await runRoleMatrix(t, 'writes', { index: 2, of: 4 })
