// Where the load generator runs. bench/scale.mjs generates the load in its own process (as
// bench/http.mjs does), pinned to CPU 1 by runOnLoadCpu; a setup may move it for its runs
// (other CPUs, a lower priority) and put it back afterwards. And what the cores did meanwhile.

import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { spawnSync } from 'node:child_process'
import { hasTaskset } from '../http/common.mjs'

/** Going back to nice 0 after nice 10 needs CAP_SYS_NICE (bit 23 of CapEff): root has it. */
export function canRaisePriority () {
  try {
    const capabilities = BigInt('0x' + /^CapEff:\s+([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1])
    return (capabilities & (1n << 23n)) !== 0n
  } catch {
    return false
  }
}

/**
 * Moves every thread of this process to `cpus` (taskset's list) at niceness `nice`. Linux keeps
 * both per thread: taskset -a, and setpriority on each thread id.
 */
export function placeLoad ({ cpus, nice }) {
  if (hasTaskset && process.env.DATELINE_BENCH_PINNED === '1') {
    const result = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`taskset -a -p -c ${cpus} ${process.pid}: ${result.stderr}`)
  }
  for (const tid of readdirSync('/proc/self/task')) {
    try { os.setPriority(Number(tid), nice) } catch (error) { if (error.code !== 'ESRCH') throw error }
  }
}

/** Per-CPU jiffies from /proc/stat: { cpu0: { busy, total }, … }. */
export function cpuTimes () {
  const times = {}
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^(cpu\d+)\s+(.*)$/.exec(line)
    if (match === null) continue
    const [user, niceTime, system, idle, iowait, irq, softirq, steal] = match[2].split(' ').map(Number)
    const busy = user + niceTime + system + irq + softirq + steal
    times[match[1]] = { busy, total: busy + idle + iowait }
  }
  return times
}

/** Percent busy of each CPU between two cpuTimes() samples. */
export function busyPercent (before, after) {
  return Object.fromEntries(Object.keys(after).map((cpu) => {
    const total = after[cpu].total - (before[cpu]?.total ?? 0)
    return [cpu, total <= 0 ? null : Math.round(100 * (after[cpu].busy - before[cpu].busy) / total)]
  }))
}
