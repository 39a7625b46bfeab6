import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for every third read operation, from the third: see role-matrix-reads-1.test.ts.
await runRoleMatrix(t, 'reads', { index: 2, of: 3 })
