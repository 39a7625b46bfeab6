import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that write: each caller on a world of its
// own, since a write changes what the next caller would find. Every third write operation here,
// from the third; the others in role-matrix-writes-1.test.ts and -2.
await runRoleMatrix(t, 'writes', { index: 2, of: 3 })
