/**
 * `%word%` for LIKE with a backslash as the escape, `%` and `_` in the word taken literally:
 * how a search finds a word anywhere in a column, in either dialect (`… like ? escape '\'`).
 */
export function containsPattern (word: string): string {
  return `%${word.replace(/[\\%_]/g, (character) => `\\${character}`)}%`
}
