import { SessionLiveness, connectMongo, createRedis, runServer } from '@lms/kit'
import type { Telemetry } from '@lms/kit/telemetry'
import { Registry } from 'prom-client'
import { buildApp } from './app.js'
import { readConfig } from './config.js'
import { CourseBus } from './events/course-bus.js'
import { migrate } from './migrate.js'

/** The process: config → MongoDB, Redis, RabbitMQ → app → listen; closes them all on SIGTERM. */
export async function main(env: Record<string, string | undefined>, telemetry: Telemetry): Promise<void> {
  const config = readConfig(env)
  const { client, db } = await connectMongo(config.MONGO_URL, config.MONGO_DB)
  await migrate(db)
  const redis = createRedis(config.REDIS_URL, 'course')
  // Live sessions are remembered until the user service announces their end: no Redis round trip per request.
  const sessions = new SessionLiveness({ redis, keyPrefix: config.SESSION_KEY_PREFIX })
  await sessions.start()
  const registry = new Registry()
  let bus: CourseBus | undefined
  const { app, services } = await buildApp({
    db,
    redis,
    config,
    registry,
    auth: {
      jwks: { url: config.JWKS_URL }, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE,
      isSessionActive: (sid) => sessions.isActive(sid),
    },
    notifyOutbox: () => bus?.notify(),
  })
  if (config.EVENTS_ENABLED) {
    const connected = await CourseBus.connect({ amqpUrl: config.AMQP_URL, db, registry: app.metrics, logger: app.log })
    bus = connected
    await connected.consume(services)
    // Registered once the bus exists: /health/ready answers only after listen, so nothing asks earlier.
    app.addReadinessCheck('rabbitmq', () => connected.ready())
  }
  await runServer(app, {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onShutdown: async () => {
      await bus?.stop()
      await client.close()
      await sessions.close()
      redis.disconnect()
      await telemetry.shutdown()
    },
  })
}
