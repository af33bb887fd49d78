import nodemailer from 'nodemailer'
import { createPostgres, createRedis, migrateToLatest, runServer } from '@lms/kit'
import type { Telemetry } from '@lms/kit/telemetry'
import { startServiceBus } from '@lms/events'
import { buildApp } from './app.js'
import { loadNotificationConfig } from './config.js'
import type { Database } from './database.js'
import { migrations } from './migrations/index.js'

/** The process: config → clients → migrations → app → events → listen → graceful close. */
export async function main(env: Record<string, string | undefined>, telemetry: Telemetry) {
  const config = loadNotificationConfig(env)
  const db = createPostgres<Database>({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: config.DATABASE_POOL_MAX, applicationName: 'notification' })
  const redis = createRedis(config.REDIS_URL, 'notification')
  if (env.MIGRATE_ON_START === 'true') await migrateToLatest(db, { schema: config.DATABASE_SCHEMA, migrations })
  const mailer = nodemailer.createTransport(config.SMTP_URL)

  const app = await buildApp({
    config, db, redis, mailer,
    auth: {
      jwks: { url: config.JWKS_URL }, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE,
      isSessionActive: async (sid) => (await redis.exists(config.SESSION_KEY_PREFIX + sid)) === 1,
    },
  })
  const bus = await startServiceBus({
    service: 'notification', amqpUrl: config.AMQP_URL, db, listenUrl: config.DATABASE_URL,
    registry: app.metrics, logger: app.log, handlers: app.handlers,
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
      redis.disconnect()
      await telemetry.shutdown()
    },
  })
}
