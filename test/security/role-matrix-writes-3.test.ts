import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for every sixth write operation, from the third: see role-matrix-reads-1.test.ts.
await runRoleMatrix(t, 'writes', { index: 2, of: 6 })
