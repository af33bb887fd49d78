import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import nodemailer from 'nodemailer'
import { SessionLiveness, connectMongo, createPostgres, createRedis, migrateToLatest } from '@lms/kit'
import { createTestDatabase, randomName, testEnv } from '@lms/kit/testing'
import { startServiceBus, type ServiceBus } from '@lms/events'
import { createLmsClient, memoryTokenStorage, type LmsClient, type TokenStorage } from '@lms/client'
import { buildGateway, DEFAULT_RATE_LIMIT } from '../../gateway/src/app.js'
import { buildApp as buildUserApp } from '../../services/user/src/app.js'
import type { Database as UserDatabase } from '../../services/user/src/database.js'
import { migrations as userMigrations } from '../../services/user/src/migrations/index.js'
import { newSigningKey, testConfig as userConfig } from '../../services/user/test/helper.js'
import { buildApp as buildCourseApp } from '../../services/course/src/app.js'
import { readConfig as readCourseConfig } from '../../services/course/src/config.js'
import { migrate as migrateCourses } from '../../services/course/src/migrate.js'
import { CourseBus } from '../../services/course/src/events/course-bus.js'
import { buildApp as buildEnrollmentApp } from '../../services/enrollment/src/app.js'
import type { Database as EnrollmentDatabase } from '../../services/enrollment/src/database.js'
import { migrations as enrollmentMigrations } from '../../services/enrollment/src/migrations/index.js'
import { buildApp as buildAssessmentApp } from '../../services/assessment/src/app.js'
import type { Database as AssessmentDatabase } from '../../services/assessment/src/database.js'
import { migrations as assessmentMigrations } from '../../services/assessment/src/migrations/index.js'
import { subscriptionHandlers as assessmentHandlers } from '../../services/assessment/src/subscriptions/handlers.js'
import { buildApp as buildNotificationApp } from '../../services/notification/src/app.js'
import type { Database as NotificationDatabase } from '../../services/notification/src/database.js'
import { migrations as notificationMigrations } from '../../services/notification/src/migrations/index.js'
import { startSmtpSink, testConfig as notificationConfig } from '../../services/notification/test/helper.js'

const urlOf = (app: { server: { address(): unknown } }) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

/**
 * The whole platform in this process, each piece on real servers and listening
 * on loopback: gateway → user, course, enrollment, assessment, notification,
 * each with its own PostgreSQL schema and role (course: own Mongo database),
 * one random RabbitMQ exchange shared by these services only and random
 * service names (so queue names never meet a running stack's), an SMTP sink.
 */
export async function buildPlatform(t: Test) {
  const env = await testEnv()
  const exchange = randomName('e2e.journey')
  const suffix = randomName('j')
  const redis = createRedis(env.redisUrl, 'e2e-journey')
  const smtp = await startSmtpSink()
  const closers: Array<() => Promise<unknown> | unknown> = []
  const buses: ServiceBus[] = []

  // user
  const userDb = await createTestDatabase(t, 'j_users')
  const userKysely = createPostgres<UserDatabase>({ url: userDb.url, schema: userDb.schema, max: 5 })
  await migrateToLatest(userKysely, { schema: userDb.schema, migrations: userMigrations })
  const user = await buildUserApp({ config: userConfig, db: userKysely, redis, keys: [newSigningKey()] })
  await user.listen({ host: '127.0.0.1', port: 0 })
  buses.push(await startServiceBus({ service: `user_${suffix}`, amqpUrl: env.amqpUrl, db: userKysely, listenUrl: userDb.url, exchange }))
  // The first admin, as main.ts creates it from ADMIN_EMAIL / ADMIN_PASSWORD.
  const admin = { email: email('admin'), password }
  await user.services.auth.ensureAdmin(admin.email, admin.password)
  const jwksUrl = `${urlOf(user)}/.well-known/jwks.json`
  const auth = { jwks: { url: jwksUrl }, issuer: 'lms-user-service', audience: 'lms' }
  // As every service's main.ts: live sessions remembered until the user service announces their end.
  const sessions = new SessionLiveness({ redis, keyPrefix: 'session:' })
  await sessions.start()
  const isSessionActive = (sid: string) => sessions.isActive(sid)

  // course (MongoDB-compatible + Redis cache)
  const courseDbName = randomName('j_courses')
  const cachePrefix = `${randomName('jcourse')}:`
  const courseConfig = readCourseConfig({
    MONGO_URL: env.mongoUrl, MONGO_DB: courseDbName, REDIS_URL: env.redisUrl, AMQP_URL: env.amqpUrl,
    JWKS_URL: jwksUrl, CACHE_PREFIX: cachePrefix, LOG_LEVEL: 'silent',
  })
  const mongo = await connectMongo(courseConfig.MONGO_URL, courseDbName)
  await migrateCourses(mongo.db)
  // The app wakes the relay after writes; the relay needs the app's registry: a holder breaks the cycle.
  const relay: { bus?: CourseBus } = {}
  const { app: course, services: courseServices } = await buildCourseApp({
    db: mongo.db, redis, config: courseConfig, auth: { ...auth, isSessionActive }, notifyOutbox: () => relay.bus?.notify(),
  })
  const courseBus = relay.bus = await CourseBus.connect({ amqpUrl: env.amqpUrl, db: mongo.db, registry: course.metrics, logger: course.log, exchange, service: `course_${suffix}` })
  await courseBus.consume(courseServices)
  await course.listen({ host: '127.0.0.1', port: 0 })

  // enrollment
  const enrollmentDb = await createTestDatabase(t, 'j_enroll')
  const enrollmentKysely = createPostgres<EnrollmentDatabase>({ url: enrollmentDb.url, schema: enrollmentDb.schema, max: 5 })
  await migrateToLatest(enrollmentKysely, { schema: enrollmentDb.schema, migrations: enrollmentMigrations })
  const enrollment = await buildEnrollmentApp({ config: { LOG_LEVEL: 'silent' }, db: enrollmentKysely, auth: { ...auth, isSessionActive } })
  buses.push(await startServiceBus({ service: `enrollment_${suffix}`, amqpUrl: env.amqpUrl, db: enrollmentKysely, listenUrl: enrollmentDb.url, handlers: enrollment.eventHandlers, exchange }))
  await enrollment.listen({ host: '127.0.0.1', port: 0 })

  // assessment
  const assessmentDb = await createTestDatabase(t, 'j_assess')
  const assessmentKysely = createPostgres<AssessmentDatabase>({ url: assessmentDb.url, schema: assessmentDb.schema, max: 5 })
  await migrateToLatest(assessmentKysely, { schema: assessmentDb.schema, migrations: assessmentMigrations })
  const assessment = await buildAssessmentApp({ config: { LOG_LEVEL: 'silent' as never, SUBMIT_GRACE_SECONDS: 60 }, db: assessmentKysely, auth: { ...auth, isSessionActive } })
  buses.push(await startServiceBus({ service: `assessment_${suffix}`, amqpUrl: env.amqpUrl, db: assessmentKysely, listenUrl: assessmentDb.url, handlers: assessmentHandlers(assessmentKysely), exchange }))
  await assessment.listen({ host: '127.0.0.1', port: 0 })

  // notification (+ SMTP sink, email worker polling)
  const notificationDb = await createTestDatabase(t, 'j_notify')
  const notificationKysely = createPostgres<NotificationDatabase>({ url: notificationDb.url, schema: notificationDb.schema, max: 5 })
  await migrateToLatest(notificationKysely, { schema: notificationDb.schema, migrations: notificationMigrations })
  const mailer = nodemailer.createTransport(smtp.url)
  const notification = await buildNotificationApp({
    config: { ...notificationConfig, STREAM_HEARTBEAT_MS: 5_000 }, db: notificationKysely, redis, mailer,
    auth: { ...auth, isSessionActive }, startEmailWorker: true,
  })
  buses.push(await startServiceBus({ service: `notification_${suffix}`, amqpUrl: env.amqpUrl, db: notificationKysely, listenUrl: notificationDb.url, handlers: notification.handlers, exchange }))
  await notification.listen({ host: '127.0.0.1', port: 0 })

  const gateway = await buildGateway({
    redis,
    keyPrefix: `${randomName('gwj')}:`,
    upstreams: { user: urlOf(user), course: urlOf(course), enrollment: urlOf(enrollment), assessment: urlOf(assessment), notification: urlOf(notification) },
    jwks: { url: jwksUrl },
    issuer: 'lms-user-service',
    audience: 'lms',
    logLevel: 'silent',
    rateLimit: { ...DEFAULT_RATE_LIMIT, max: 10_000, authMax: 1_000 },
    upstreamTimeoutMs: 60_000,
  })
  await gateway.listen({ host: '127.0.0.1', port: 0 })
  const baseUrl = urlOf(gateway)

  closers.push(
    () => gateway.close(),
    ...[notification, assessment, enrollment, course, user].map((app) => () => app.close()),
    ...buses.map((bus) => () => bus.close()),
    () => courseBus.stop(),
    () => Promise.all([userKysely, enrollmentKysely, assessmentKysely, notificationKysely].map((db) => db.destroy())),
    async () => {
      await mongo.db.dropDatabase()
      const keys = await redis.keys(`${cachePrefix}*`)
      if (keys.length > 0) await redis.del(...keys)
      await mongo.client.close()
    },
    () => smtp.close(),
    () => sessions.close(),
    () => redis.disconnect(),
  )
  t.teardown(async () => {
    for (const close of closers) {
      try { await close() } catch { /* keep closing the rest */ }
    }
  })

  /** A fresh client with its own tokens, as one browser tab. */
  const client = (tokens: TokenStorage = memoryTokenStorage()): LmsClient => createLmsClient({ baseUrl, tokens })
  /** Each service's own origin, behind the gateway's back (as another pod in the cluster reaches it). */
  const services = { course: urlOf(course), enrollment: urlOf(enrollment), assessment: urlOf(assessment), notification: urlOf(notification) }
  return { baseUrl, client, services, smtp, admin }
}

/** Polls `check` until it returns a truthy value (bounded: 300 × 100 ms); throws with `what` otherwise. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, tries = 300): Promise<T> {
  let last: unknown
  for (let i = 0; i < tries; i++) {
    try {
      const value = await check()
      if (value) return value
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what}: not reached in time${last ? ` (last error: ${String(last)})` : ''}`)
}

let n = 0
export const email = (name: string) => `${name}.${process.pid}.${Date.now()}.${n++}@example.test`
export const password = 'correct horse battery'
