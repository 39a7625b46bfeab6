import type { Store } from '../../db/store.js'
import { assertParentFits, type Tree } from '../../lib/tree.js'
import { pageQueries } from './queries.js'
import { maxPageDepth } from './schemas.js'

/** Pages as a tree (lib/tree.ts checks a new parent): at most `maxPageDepth` levels. */
export function pageTree (tx: Store): Tree {
  const queries = pageQueries(tx)
  return { noun: 'page', maxDepth: maxPageDepth, parentOf: queries.parentOf, levelsBelow: queries.levelsBelow }
}

/**
 * Whether a page that comes back (from the trash, from a revision) may sit under `parentId`
 * again: the parent is still there, and the page under it would nest no deeper than allowed.
 */
export async function parentStillFits (tx: Store, id: number, parentId: number): Promise<boolean> {
  try {
    await assertParentFits(pageTree(tx), id, parentId)
    return true
  } catch (error) {
    // The tree's refusals name the field; anything else is no answer about the parent.
    if ((error as { errors?: unknown[] }).errors === undefined) throw error
    return false
  }
}
