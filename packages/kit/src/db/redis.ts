import { Redis, type RedisOptions } from 'ioredis'

/**
 * An ioredis client that fails fast instead of queueing commands forever when
 * Redis is away (reads fall back, readiness reports it). `options` adds to or
 * overrides the defaults (e.g. `enableAutoPipelining` for a hot path).
 *
 * @example
 * const redis = createRedis(config.REDIS_URL, 'course')
 */
export function createRedis(url: string, connectionName: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  })
}
