import t from 'tap'
import { runRoleMatrix } from './role-matrix.js'

// The role matrix (role-matrix.ts) for the operations that read (GET, HEAD): every third one,
// from the first, and the check that every operation of the OpenAPI document has its rows.
// role-matrix-reads-2 and -3 run the other reads, role-matrix-writes-1 to -6 the writes: every
// row builds a world of its own (a write, one per caller), and spread over files this way each
// stays near a minute on a slow machine running PostgreSQL, as most files are.
await runRoleMatrix(t, 'reads', { index: 0, of: 3 })
