// A sanitising pool's thread (sanitising.ts).
import { serveTasks } from '../../lib/worker-pool.js'
import { sanitiseBodies } from './sanitising.js'

serveTasks(sanitiseBodies)
