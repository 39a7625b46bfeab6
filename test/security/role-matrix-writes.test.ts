import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that write: each caller on a world of its
// own, since a write changes what the next caller would find.
await runRoleMatrix(t, 'writes')
