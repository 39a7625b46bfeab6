/**
 * A key's row before its answer is kept: `status` says how far the request got. Claimed:
 * its work has not committed (yet, or ever: the instance died), so once the claim is stale
 * another request may take the key over. Committed: its work committed but no answer was kept
 * yet (or ever), so it must not run again.
 */
export const claimedStatus = 0
export const committedStatus = 1
