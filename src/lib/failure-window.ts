/**
 * Counts failures per key in a fixed window, to slow down guessing (of tokens, say).
 * Memory stays bounded: past `maxKeys` the oldest windows are dropped first.
 */
export class FailureWindow {
  private readonly windows = new Map<string, { failures: number, endsAt: number }>()

  constructor (
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000
  ) {}

  /** Seconds until `key` may try again, or 0 when it is not blocked. */
  blockedFor (key: string, now = Date.now()): number {
    const window = this.windows.get(key)
    if (window === undefined || window.endsAt <= now) return 0
    return window.failures >= this.maxFailures ? Math.ceil((window.endsAt - now) / 1000) : 0
  }

  fail (key: string, now = Date.now()): void {
    const window = this.windows.get(key)
    if (window === undefined || window.endsAt <= now) {
      this.windows.delete(key)
      this.windows.set(key, { failures: 1, endsAt: now + this.windowMs })
      this.trim()
      return
    }
    window.failures++
  }

  private trim (): void {
    for (const key of this.windows.keys()) {
      if (this.windows.size <= this.maxKeys) return
      this.windows.delete(key)
    }
  }
}
