// Issue 19's targets for search, printed next to the figures of bench/search.mjs.

export const searchTargets = { p50Ms: 25, p99Ms: 100 }

/** One row per query kind (baselines left out): its p50 and p99 medians and whether each meets its target. */
export function targetRows (results) {
  return results.filter((result) => !result.kind.startsWith('baseline')).map((result) => {
    if (result.p50 === undefined) return { kind: result.kind, p50: null, p99: null, met: false }
    const p50 = result.p50.median
    const p99 = result.p99.median
    return { kind: result.kind, p50, p99, p50Met: p50 <= searchTargets.p50Ms, p99Met: p99 <= searchTargets.p99Ms, met: p50 <= searchTargets.p50Ms && p99 <= searchTargets.p99Ms }
  })
}

export function printTargets (rows, articles) {
  console.log(`\nTargets (issue 19) at ${articles} articles: p50 ≤ ${searchTargets.p50Ms} ms and p99 ≤ ${searchTargets.p99Ms} ms for every kind`)
  const mark = (value, met) => value === null ? 'timed out' : `${value} ms ${met ? 'met' : 'NOT met'}`
  const width = Math.max(...rows.map((row) => row.kind.length))
  for (const row of rows) {
    console.log(`  ${row.kind.padEnd(width)}  p50 ${mark(row.p50, row.p50Met).padEnd(20)}  p99 ${mark(row.p99, row.p99Met)}`)
  }
  const missed = rows.filter((row) => !row.met).length
  console.log(missed === 0 ? '  all met' : `  ${missed} of ${rows.length} kinds miss a target`)
}
