import { createPostgres, createRedis, migrateToLatest, runServer } from '@lms/kit'
import type { Telemetry } from '@lms/kit/telemetry'
import { startServiceBus } from '@lms/events'
import { buildApp } from './app.js'
import { loadUserConfig } from './config.js'
import type { Database } from './database.js'
import { migrations } from './migrations/index.js'
import { loadSigningKeys } from './tokens/signing-keys.js'

/** The process: config → clients → migrations → app → events → listen → graceful close. */
export async function main(env: Record<string, string | undefined>, telemetry: Telemetry) {
  const config = loadUserConfig(env)
  const db = createPostgres<Database>({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, max: config.DATABASE_POOL_MAX, applicationName: 'user' })
  const redis = createRedis(config.REDIS_URL, 'user')
  if (env.MIGRATE_ON_START === 'true') await migrateToLatest(db, { schema: config.DATABASE_SCHEMA, migrations })
  const keys = await loadSigningKeys(config.JWT_PRIVATE_KEY_FILES)

  const app = await buildApp({ config, db, redis, keys })
  const bus = await startServiceBus({
    service: 'user', amqpUrl: config.AMQP_URL, db, listenUrl: config.DATABASE_URL, registry: app.metrics, logger: app.log,
  })
  // Registered once the bus exists: /health/ready answers only after listen, so nothing asks earlier.
  app.addReadinessCheck('rabbitmq', () => bus.ready())

  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    const { created } = await app.services.auth.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD)
    if (created) app.log.info('first admin account created from ADMIN_EMAIL')
  }

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
