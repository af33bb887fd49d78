import { createApp, type App, type AuthOptions } from '@lms/kit'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import type { Db } from 'mongodb'
import type { Registry } from 'prom-client'
import { CourseCache } from './cache/course-cache.js'
import { categoryRoutes } from './categories/routes.js'
import type { Config } from './config.js'
import { contentRoutes } from './content/routes.js'
import { courseRoutes } from './courses/routes.js'
import { moduleRoutes } from './modules/routes.js'
import { searchRoutes } from './search/routes.js'
import type { ServiceDeps } from './service-deps.js'

export interface AppDeps {
  db: Db
  redis: Redis
  config: Config
  auth: AuthOptions
  registry?: Registry
  /** Wakes the outbox relay after writes that queued events. */
  notifyOutbox?: () => void
}

/**
 * The course service as a Fastify instance that never listens: kit defaults,
 * readiness checks, then the features. Tests build it on real servers.
 *
 * @example
 * const app = await buildApp({ db, redis, config, auth: { jwks: { url }, issuer, audience } })
 */
export async function buildApp(deps: AppDeps): Promise<{ app: App; services: ServiceDeps }> {
  const app = await createApp({
    service: 'course',
    description: 'Categories, courses, modules, lessons, content and versions',
    logLevel: deps.config.LOG_LEVEL,
    auth: deps.auth,
    ...(deps.registry ? { registry: deps.registry } : {}),
  })
  app.addReadinessCheck('mongodb', () => deps.db.command({ ping: 1 }))
  app.addReadinessCheck('redis', () => deps.redis.ping())

  const services: ServiceDeps = {
    db: deps.db,
    redis: deps.redis,
    config: deps.config,
    log: app.log as FastifyBaseLogger,
    notifyOutbox: deps.notifyOutbox ?? (() => {}),
    cache: new CourseCache({
      redis: deps.redis,
      prefix: deps.config.CACHE_PREFIX,
      enabled: deps.config.CACHE_ENABLED,
      courseTtlSeconds: deps.config.CACHE_COURSE_TTL_SECONDS,
      listTtlSeconds: deps.config.CACHE_LIST_TTL_SECONDS,
      registry: app.metrics,
      log: app.log as FastifyBaseLogger,
    }),
  }

  await app.register(async (features) => {
    const scoped = features as unknown as App
    await categoryRoutes(scoped, services)
    await searchRoutes(scoped, services)
    await courseRoutes(scoped, services)
    await moduleRoutes(scoped, services)
    await contentRoutes(scoped, services)
  })
  return { app, services }
}
