import { conflictOn, invalid } from '../errors.js'

/** Rows that nest under a parent of their own kind (labels, pages), as far as the check below reads them. */
export interface Tree {
  /** What one row is called in a problem's message: `label`, `page`. */
  noun: string
  /** The most levels a chain of rows may have. */
  maxDepth: number
  /** A row's parent; undefined when there is no such row. */
  parentOf: (id: number) => Promise<{ parentId: number | null } | undefined>
  /** How many levels hang under a row, counted up to `atMost`. */
  levelsBelow: (id: number, atMost: number) => Promise<number>
}

/**
 * 400 when the parent is not there; 409 when putting `id` (undefined: a new row) under it would
 * close a cycle (the row itself or one under it) or nest deeper than `maxDepth`. The walk up
 * takes at most that many steps: no stored chain is longer.
 */
export async function assertParentFits (tree: Tree, id: number | undefined, parentId: number, path = 'body.parentId'): Promise<void> {
  const { noun, maxDepth } = tree
  if (await tree.parentOf(parentId) === undefined) throw invalid(path, `there is no ${noun} ${parentId}`)
  let levelsAbove = 0
  for (let ancestor: number | null = parentId; ancestor !== null && levelsAbove <= maxDepth; levelsAbove++) {
    if (ancestor === id) throw conflictOn(path, `would put ${noun} ${id} under itself (${noun} ${parentId} is ${parentId === id ? `the ${noun}` : 'under it'})`)
    ancestor = (await tree.parentOf(ancestor))?.parentId ?? null
  }
  const levelsBelow = id === undefined ? 0 : await tree.levelsBelow(id, maxDepth)
  if (levelsAbove + 1 + levelsBelow > maxDepth) {
    throw conflictOn(path, `would nest ${noun}s ${levelsAbove + 1 + levelsBelow} levels deep; at most ${maxDepth} are kept`)
  }
}
