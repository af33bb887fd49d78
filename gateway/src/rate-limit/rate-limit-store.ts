import type { Redis } from 'ioredis'
import { gatewayErrors } from '../errors.js'

/** Separates the counter from the session id in a rate-limit key (neither can contain it). */
export const SESSION_SEPARATOR = '\n'

// One round trip does both: the session must still exist, then the fixed-window counter moves.
const COUNT_WITH_SESSION = `
if #KEYS == 2 and redis.call('EXISTS', KEYS[2]) == 0 then return {-1, 0} end
local current = redis.call('INCR', KEYS[1])
local ttl = tonumber(ARGV[1])
if current == 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
else
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then redis.call('PEXPIRE', KEYS[1], ttl) else ttl = left end
end
return {current, ttl}
`

interface Counters {
  gwCount(key: string, windowMs: number): Promise<[number, number]>
  gwCountSession(key: string, sessionKey: string, windowMs: number): Promise<[number, number]>
}

export interface RateLimitStoreOptions {
  redis: Redis
  /** Prefix of every counter (`gw:` → `gw:rl:<limit>:<who>`). */
  keyPrefix: string
  /** Prefix of the user service's session keys (`session:`). */
  sessionKeyPrefix: string
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void

/**
 * A store for @fastify/rate-limit that counts in Redis (shared by every
 * gateway replica) and, for authenticated callers, checks in the same Lua call
 * that their session still exists. Keys shaped `user:<id>\n<sid>` count per
 * user and fail with 401 when the session is gone; other keys only count.
 *
 * @example
 * await app.register(rateLimit, { global: false, store: rateLimitStore({ redis, keyPrefix: 'gw:', sessionKeyPrefix: 'session:' }) })
 */
export function rateLimitStore(options: RateLimitStoreOptions) {
  const redis = options.redis as Redis & Partial<Counters>
  if (!redis.gwCount) redis.defineCommand('gwCount', { numberOfKeys: 1, lua: COUNT_WITH_SESSION })
  if (!redis.gwCountSession) redis.defineCommand('gwCountSession', { numberOfKeys: 2, lua: COUNT_WITH_SESSION })
  const counters = redis as Redis & Counters

  return class GatewayRateLimitStore {
    readonly prefix: string

    constructor(params: { limitName?: string } = {}) {
      this.prefix = `${options.keyPrefix}rl:${params.limitName ?? 'global'}:`
    }

    incr(key: string, callback: Callback, timeWindow: number, _max: number): void {
      const separator = key.indexOf(SESSION_SEPARATOR)
      const counted = separator === -1
        ? counters.gwCount(this.prefix + key, timeWindow)
        : counters.gwCountSession(this.prefix + key.slice(0, separator), options.sessionKeyPrefix + key.slice(separator + 1), timeWindow)
      counted.then(
        ([current, ttl]) => current === -1
          ? callback(gatewayErrors.GW_ERR_SESSION_ENDED())
          : callback(null, { current, ttl }),
        (error: Error) => callback(error),
      )
    }

    child(params: { limitName?: string }) {
      return new GatewayRateLimitStore(params)
    }
  }
}
