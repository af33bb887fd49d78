import websocket from '@fastify/websocket'
import type { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import type { Transporter } from 'nodemailer'
import { Counter } from 'prom-client'
import { createApp, pingPostgres, type App, type AuthOptions } from '@lms/kit'
import type { NotificationConfig } from './config.js'
import type { Database } from './database.js'
import { createEmailWorker } from './email/email-worker.js'
import { createBulkService } from './notifications/bulk.js'
import { notificationRoutes } from './notifications/routes.js'
import { createNotificationService } from './notifications/service.js'
import { preferenceRoutes } from './preferences/routes.js'
import { createPreferenceService } from './preferences/service.js'
import { RealtimeHub } from './realtime/hub.js'
import { realtimeRoutes } from './realtime/routes.js'
import { createHandlers } from './subscriptions/index.js'

// LOG_LEVEL is widened: the kit's literal union resolves to `never` in typebox's Static (reported).
export type AppConfig = { LOG_LEVEL: string } & Pick<NotificationConfig,
  'SMTP_FROM' | 'EMAIL_POLL_MS' | 'EMAIL_BATCH_SIZE' | 'EMAIL_MAX_ATTEMPTS' | 'EMAIL_RETRY_BASE_MS'
  | 'BULK_BATCH_SIZE' | 'STREAM_MAX_BUFFER_BYTES' | 'STREAM_HEARTBEAT_MS' | 'APP_BASE_URL'>

export interface AppDeps {
  config: AppConfig
  db: Kysely<Database>
  redis: Redis
  /** nodemailer transport (SMTP_URL in production, a test server in tests). */
  mailer: Transporter
  auth: AuthOptions
  /** Start the email worker's poll loop (tests may drive `emailWorker.runOnce()` themselves). */
  startEmailWorker?: boolean
  readiness?: Record<string, () => Promise<unknown>>
}

/**
 * The notification service as an app that never listens: kit defaults →
 * websocket → real-time hub → features. `handlers` are the event consumers
 * main.ts hands to the service bus.
 */
export async function buildApp(deps: AppDeps) {
  const app = await createApp({ service: 'notification', logLevel: deps.config.LOG_LEVEL, auth: deps.auth })
  await app.register(websocket, { options: { maxPayload: 4096 } })

  const dropped = new Counter({ name: 'lms_notification_stream_dropped_total', help: 'Real-time connections dropped', labelNames: ['reason'], registers: [app.metrics] })
  const emails = new Counter({ name: 'lms_notification_emails_total', help: 'Email delivery attempts by outcome', labelNames: ['status'], registers: [app.metrics] })
  const hub = new RealtimeHub(deps.redis, (reason) => dropped.inc({ reason }))
  await hub.start()

  const emailWorker = createEmailWorker({
    db: deps.db, transport: deps.mailer, from: deps.config.SMTP_FROM, pollMs: deps.config.EMAIL_POLL_MS,
    batchSize: deps.config.EMAIL_BATCH_SIZE, maxAttempts: deps.config.EMAIL_MAX_ATTEMPTS, retryBaseMs: deps.config.EMAIL_RETRY_BASE_MS,
    logger: app.log, sent: emails,
  })
  const onQueued = () => emailWorker.kick()
  const notifications = createNotificationService({ db: deps.db })
  const preferences = createPreferenceService({ db: deps.db })
  const bulk = createBulkService({ db: deps.db, publisher: hub, batchSize: deps.config.BULK_BATCH_SIZE, onQueued })
  const handlers = createHandlers({ db: deps.db, publisher: hub, appBaseUrl: deps.config.APP_BASE_URL, batchSize: deps.config.BULK_BATCH_SIZE, onQueued })

  app.addReadinessCheck('postgres', () => pingPostgres(deps.db))
  app.addReadinessCheck('redis', () => deps.redis.ping())
  for (const [name, check] of Object.entries(deps.readiness ?? {})) app.addReadinessCheck(name, check)

  await app.register(preferenceRoutes, { preferences })
  await app.register(realtimeRoutes, { db: deps.db, hub, maxBufferBytes: deps.config.STREAM_MAX_BUFFER_BYTES, heartbeatMs: deps.config.STREAM_HEARTBEAT_MS })
  await app.register(notificationRoutes, { notifications, bulk })

  if (deps.startEmailWorker !== false) emailWorker.start()
  app.addHook('onClose', async () => {
    await emailWorker.stop()
    await hub.close()
  })
  return Object.assign(app as App, { hub, emailWorker, handlers })
}

export type NotificationApp = Awaited<ReturnType<typeof buildApp>>
