import type { Redis } from 'ioredis'
import { gatewayErrors } from '../errors.js'

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

export interface RateLimiterOptions {
  redis: Redis
  /** Prefix of every counter (`gw:` → `gw:rl:<name>:<who>`). */
  keyPrefix: string
  /** Prefix of the user service's session keys (`session:`). */
  sessionKeyPrefix: string
  /** The limit's name in its keys (`global`, `credentials`). */
  name: string
  max: number
  windowMs: number
}

export interface LimitResult {
  max: number
  remaining: number
  /** Seconds until the window resets (for `x-ratelimit-reset` and `Retry-After`). */
  resetSeconds: number
  exceeded: boolean
}

/**
 * A fixed-window limit counted in Redis, so every gateway replica shares it:
 * one EVALSHA per request. With a session id the same Lua call first checks
 * that the session still exists and fails with `GW_ERR_SESSION_ENDED` when it
 * does not, so revocation costs no extra round trip.
 *
 * @example
 * const global = new RateLimiter({ redis, keyPrefix: 'gw:', sessionKeyPrefix: 'session:', name: 'global', max: 600, windowMs: 60_000 })
 * const { exceeded, resetSeconds } = await global.hit(`user:${user.id}`, user.sid)
 */
export class RateLimiter {
  private readonly counters: Redis & Counters
  private readonly prefix: string

  constructor(private readonly options: RateLimiterOptions) {
    const redis = options.redis as Redis & Partial<Counters>
    if (!redis.gwCount) redis.defineCommand('gwCount', { numberOfKeys: 1, lua: COUNT_WITH_SESSION })
    if (!redis.gwCountSession) redis.defineCommand('gwCountSession', { numberOfKeys: 2, lua: COUNT_WITH_SESSION })
    this.counters = redis as Redis & Counters
    this.prefix = `${options.keyPrefix}rl:${options.name}:`
  }

  /** Counts one request of `who`; with `sid`, only while that session lives. */
  async hit(who: string, sid?: string): Promise<LimitResult> {
    const { max, windowMs } = this.options
    const [current, ttl] = sid === undefined
      ? await this.counters.gwCount(this.prefix + who, windowMs)
      : await this.counters.gwCountSession(this.prefix + who, this.options.sessionKeyPrefix + sid, windowMs)
    if (current === -1) throw gatewayErrors.GW_ERR_SESSION_ENDED()
    return { max, remaining: Math.max(0, max - current), resetSeconds: Math.ceil(ttl / 1000), exceeded: current > max }
  }
}
