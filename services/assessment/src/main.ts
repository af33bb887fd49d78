import { SessionLiveness, createPostgres, createRedis, migrateToLatest, runServer } from '@lms/kit'
import type { Telemetry } from '@lms/kit/telemetry'
import { startServiceBus } from '@lms/events'
import { buildApp } from './app.js'
import { loadAssessmentConfig } from './config.js'
import type { Database } from './database.js'
import { migrations } from './migrations/index.js'
import { subscriptionHandlers } from './subscriptions/handlers.js'

/** The process: config → clients → migrations → app → events → listen → graceful close. */
export async function main(env: Record<string, string | undefined>, telemetry: Telemetry) {
  const config = loadAssessmentConfig(env)
  const db = createPostgres<Database>({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: config.DATABASE_POOL_MAX, applicationName: 'assessment' })
  const redis = createRedis(config.REDIS_URL, 'assessment')
  // Live sessions are remembered until the user service announces their end: no Redis round trip per request.
  const sessions = new SessionLiveness({ redis, keyPrefix: config.SESSION_KEY_PREFIX })
  await sessions.start()
  if (env.MIGRATE_ON_START === 'true') await migrateToLatest(db, { schema: config.DATABASE_SCHEMA, migrations })

  const app = await buildApp({
    config, db,
    auth: {
      jwks: { url: config.JWKS_URL }, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE,
      isSessionActive: (sid) => sessions.isActive(sid),
    },
    readiness: { redis: () => redis.ping() },
  })
  const bus = await startServiceBus({
    service: 'assessment', amqpUrl: config.AMQP_URL, db, listenUrl: config.DATABASE_URL,
    handlers: subscriptionHandlers(db), registry: app.metrics, logger: app.log,
  })
  // Registered once the bus exists: /health/ready answers only after listen, so nothing asks earlier.
  app.addReadinessCheck('rabbitmq', () => bus.ready())

  await runServer(app, {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onShutdown: async () => {
      await bus.close()
      await db.destroy()
      await sessions.close()
      redis.disconnect()
      await telemetry.shutdown()
    },
  })
}
