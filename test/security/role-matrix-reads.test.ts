import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that read (GET, HEAD), and the check that
// every operation of the OpenAPI document has its rows. role-matrix-writes-1.test.ts to -4 run the rest.
await runRoleMatrix(t, 'reads')
