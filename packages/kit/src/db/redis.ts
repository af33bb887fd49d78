import { Redis } from 'ioredis'

/**
 * An ioredis client that fails fast instead of queueing commands forever when
 * Redis is away (reads fall back, readiness reports it).
 *
 * @example
 * const redis = createRedis(config.REDIS_URL, 'course')
 */
export function createRedis(url: string, connectionName: string): Redis {
  return new Redis(url, {
    connectionName,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  })
}
