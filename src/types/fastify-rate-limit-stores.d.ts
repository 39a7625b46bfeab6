// @fastify/rate-limit ships its stores as files of the package without types of their own;
// plugins/rate-limit.ts composes them, through the store interface the plugin calls.
declare module '@fastify/rate-limit/store/*.js' {
  import type { Redis } from 'ioredis'

  export interface RateLimitCount { current: number, ttl: number }
  export interface RateLimitStore {
    incr: (key: string, callback: (error: Error | null, result: RateLimitCount | null) => void, timeWindow: number, max: number) => void
    child: (routeOptions: { continueExceeding?: boolean, exponentialBackoff?: boolean, cache?: number, routeInfo: { method: string, url: string } }) => RateLimitStore
  }
  interface StoreConstructor {
    new (continueExceeding: boolean, exponentialBackoff: boolean, redisOrCacheSize?: Redis | number, key?: string): RateLimitStore
  }
  const Store: StoreConstructor
  export default Store
}
