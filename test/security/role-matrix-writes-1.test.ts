import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that write: each caller on a world of its
// own, since a write changes what the next caller would find. Every other write operation here,
// the rest in role-matrix-writes-2.test.ts.
await runRoleMatrix(t, 'writes', 0)
