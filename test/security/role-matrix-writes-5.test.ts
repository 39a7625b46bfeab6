import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for every sixth write operation, from the fifth: see role-matrix-reads-1.test.ts.
await runRoleMatrix(t, 'writes', { index: 4, of: 6 })
