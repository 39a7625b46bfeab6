import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that write: each caller on a world of its
// own, since a write changes what the next caller would find. Every third write operation here,
// from the first; the others in role-matrix-writes-2.test.ts and -3.
await runRoleMatrix(t, 'writes', { index: 0, of: 3 })
