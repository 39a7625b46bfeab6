import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that write: the half that
// role-matrix-writes-1.test.ts leaves (every other operation).
await runRoleMatrix(t, 'writes', 1)
