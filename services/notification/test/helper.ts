import type { Test } from 'tap'
import nodemailer from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { uuidv7 } from 'uuidv7'
import { createPostgres, createRedis, migrateToLatest, type Role } from '@lms/kit'
import { createTestDatabase, generateSigningKey, randomName, signTestToken, testEnv } from '@lms/kit/testing'
import { createEvent, deleteServiceTopology, startServiceBus, type EventData, type EventType } from '@lms/events'
import { buildApp, type AppConfig, type NotificationApp } from '../src/app.js'
import type { Database } from '../src/database.js'
import { migrations } from '../src/migrations/index.js'

export const testConfig: AppConfig = {
  LOG_LEVEL: 'silent',
  SMTP_FROM: 'LMS <no-reply@lms.test>',
  EMAIL_POLL_MS: 50,
  EMAIL_BATCH_SIZE: 10,
  EMAIL_MAX_ATTEMPTS: 3,
  EMAIL_RETRY_BASE_MS: 20,
  BULK_BATCH_SIZE: 2,
  STREAM_MAX_BUFFER_BYTES: 64 * 1024,
  STREAM_HEARTBEAT_MS: 60_000,
  APP_BASE_URL: 'https://lms.test',
}

export interface BuildOptions {
  smtpUrl?: string
  startEmailWorker?: boolean
  config?: Partial<AppConfig>
}

/** The notification service on its own schema and role, migrated, torn down after the test. */
export async function build(t: Test, opts: BuildOptions = {}) {
  const env = await testEnv()
  const database = await createTestDatabase(t, 'notifications')
  const db = createPostgres<Database>({ url: database.url, schema: database.schema, max: 5 })
  const redis = createRedis(env.redisUrl, 'notification-test')
  await migrateToLatest(db, { schema: database.schema, migrations })
  const key = generateSigningKey()
  // Port 9 (discard) is closed on loopback: a mailer that can't connect.
  const mailer = nodemailer.createTransport(opts.smtpUrl ?? 'smtp://127.0.0.1:9', { connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 5000 })
  const app = await buildApp({
    config: { ...testConfig, ...opts.config }, db, redis, mailer,
    auth: { jwks: { keys: { keys: [key.publicJwk] } }, issuer: 'lms-user-service', audience: 'lms' },
    startEmailWorker: opts.startEmailWorker ?? false,
  })
  t.teardown(async () => {
    await app.close()
    await db.destroy()
    redis.disconnect()
  })
  const token = (sub: string, role: Role = 'student', expiresInSeconds = 900) => signTestToken(key, { sub, role }, { expiresInSeconds })
  return { app, db, redis, key, token, schema: database.schema, env }
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` }
}

/** Hands an event to the app's handler for it, as the consumer would. */
export async function emit<T extends EventType>(app: NotificationApp, type: T, data: EventData<T>, id?: string) {
  const handler = (app.handlers as unknown as Record<string, Record<number, (e: unknown) => Promise<unknown>>>)[type]![1]!
  return handler(createEvent(type, data, { source: 'test', ...(id ? { id } : {}) }))
}

/** A person the service knows (user.registered consumed). */
export async function person(app: NotificationApp, overrides: Partial<EventData<'user.registered'>> = {}) {
  const userId = uuidv7()
  const data = { userId, email: `p.${userId}@example.test`, fullName: 'Ada Lovelace', role: 'student' as const, ...overrides }
  await emit(app, 'user.registered', data)
  return data
}

/** Polls `check` until it returns a truthy value (bounded). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, tries = 200, everyMs = 50): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check()
    if (value) return value
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error('condition not met in time')
}

export interface Mail { to: string; subject: string; raw: string }

/** A real SMTP server on loopback that keeps what it receives; the caller closes it. */
export async function startSmtpSink() {
  const received: Mail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8').replace(/=\r\n/g, '')
        received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: /^Subject: (.*)$/m.exec(raw)?.[1] ?? '', raw })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as { port: number }).port
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** {@link startSmtpSink}, closed when the test ends. */
export async function smtpSink(t: Test) {
  const sink = await startSmtpSink()
  t.teardown(sink.close)
  return sink
}

/** The app's handlers on a real RabbitMQ bus with its own service and exchange names, deleted after the test. */
export async function startTestBus(t: Test, built: Awaited<ReturnType<typeof build>>) {
  const service = randomName('notification')
  const exchange = randomName('ex')
  const bus = await startServiceBus({ service, exchange, amqpUrl: built.env.amqpUrl, db: built.db, handlers: built.app.handlers, maxAttempts: 2 })
  t.teardown(async () => {
    const connection = await bus.connection.waitForConnection(5000)
    const channel = await connection.createChannel()
    await bus.close()
    await deleteServiceTopology(channel, { service, exchange, maxAttempts: 2, deleteExchange: true }).catch(() => {})
    await channel.close().catch(() => {})
  })
  return bus
}
