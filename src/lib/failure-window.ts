import type { Redis } from 'ioredis'

/** Counts failures per key (a client's address) in a fixed window, to slow down guessing (of tokens, say). */
export interface FailureCounter {
  /**
   * Counts a failure of `key`, unless it is blocked already: answers the seconds until it may
   * try again (then nothing was counted), or 0.
   */
  refuse: (key: string) => Promise<number>
}

/**
 * In this process. Memory stays bounded: past `maxKeys` the oldest windows are dropped first.
 */
export class FailureWindow implements FailureCounter {
  private readonly windows = new Map<string, { failures: number, endsAt: number }>()

  constructor (
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000
  ) {}

  async refuse (key: string): Promise<number> {
    const blockedFor = this.blockedFor(key)
    if (blockedFor === 0) this.fail(key)
    return blockedFor
  }

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

// One round trip: blocked keys answer their milliseconds left and are not counted; others count.
const refuseScript = `
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures >= tonumber(ARGV[1]) then
  local left = redis.call('PTTL', KEYS[1])
  if left > 0 then return left end
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`

type RedisWithRefuse = Redis & { datelineRefuse: (key: string, maxFailures: number, windowMs: number) => Promise<number> }

/**
 * In Redis, so that every instance counts a client's failures together; in this process while
 * Redis does not answer (the same choice as the rate limits, plugins/rate-limit.ts).
 */
export class SharedFailureWindow implements FailureCounter {
  private readonly redis: RedisWithRefuse
  private readonly local: FailureWindow

  constructor (redis: Redis, private readonly keyPrefix: string, private readonly maxFailures: number, private readonly windowMs: number) {
    if (!('datelineRefuse' in redis)) redis.defineCommand('datelineRefuse', { numberOfKeys: 1, lua: refuseScript })
    this.redis = redis as RedisWithRefuse
    this.local = new FailureWindow(maxFailures, windowMs)
  }

  async refuse (key: string): Promise<number> {
    if (this.redis.status !== 'ready') return await this.local.refuse(key)
    try {
      const leftMs = await this.redis.datelineRefuse(this.keyPrefix + key, this.maxFailures, this.windowMs)
      return Math.ceil(leftMs / 1000)
    } catch {
      return await this.local.refuse(key)
    }
  }
}
