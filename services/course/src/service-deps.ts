import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { Db } from 'mongodb'
import type { CourseCache } from './cache/course-cache.js'
import type { Config } from './config.js'

/** What every feature's service functions receive (no module-level clients). */
export interface ServiceDeps {
  db: Db
  redis: Redis
  config: Config
  cache: CourseCache
  log: FastifyBaseLogger
  /** Wakes the outbox relay after a write that queued events (no-op without one). */
  notifyOutbox: () => void
}

/** The caller, from a verified token; null for anonymous requests. */
export type Actor = { id: string; role: 'student' | 'instructor' | 'admin' } | null
