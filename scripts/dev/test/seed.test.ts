import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { connectMongo, createPostgres, createRedis, migrateToLatest } from '@lms/kit'
import { createTestDatabase, randomName, testEnv } from '@lms/kit/testing'
import { AmqpConnection, deleteServiceTopology, startServiceBus, type ServiceBus } from '@lms/events'
import { buildGateway } from '../../../gateway/src/app.js'
import { buildApp as buildUserApp } from '../../../services/user/src/app.js'
import type { Database as UserDatabase } from '../../../services/user/src/database.js'
import { migrations as userMigrations } from '../../../services/user/src/migrations/index.js'
import { newSigningKey, testConfig as userConfig } from '../../../services/user/test/helper.js'
import { buildApp as buildCourseApp } from '../../../services/course/src/app.js'
import { readConfig as readCourseConfig } from '../../../services/course/src/config.js'
import { CourseBus } from '../../../services/course/src/events/course-bus.js'
import { migrate as migrateCourses } from '../../../services/course/src/migrate.js'
import { buildApp as buildEnrollmentApp } from '../../../services/enrollment/src/app.js'
import type { Database as EnrollmentDatabase } from '../../../services/enrollment/src/database.js'
import { migrations as enrollmentMigrations } from '../../../services/enrollment/src/migrations/index.js'
import { buildApp as buildAssessmentApp } from '../../../services/assessment/src/app.js'
import type { Database as AssessmentDatabase } from '../../../services/assessment/src/database.js'
import { migrations as assessmentMigrations } from '../../../services/assessment/src/migrations/index.js'
import { subscriptionHandlers as assessmentHandlers } from '../../../services/assessment/src/subscriptions/handlers.js'
import { seedDemo } from '../seed.js'

const DOWN = 'http://127.0.0.1:9'
const ADMIN = { email: 'admin@seed.test', password: 'admin-password-1' }

async function listen(app: { listen(o: { host: string; port: number }): Promise<unknown>; server: { address(): unknown } }) {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

/**
 * The gateway in front of the user, course, enrollment and assessment
 * services, in this process, on the real servers, with the services' event
 * buses on an exchange and queues of this test's own.
 */
async function buildSuite(t: Test) {
  const env = await testEnv()
  const exchange = randomName('seedex')
  const redis = createRedis(env.redisUrl, 'seed-test')
  // tap runs teardowns last-registered first: each piece is closed before what it was built on.
  t.teardown(() => redis.disconnect())
  /** Stops consuming, deletes the service's queues (the exchange with the last one), then closes. */
  async function stopBus(service: string, bus: ServiceBus | undefined, close: () => Promise<void>, deleteExchange = false) {
    await bus?.consumer?.stop()
    if (!bus) await close()
    // The course bus does not expose its connection: its queues go over a connection of our own.
    const own = bus ? undefined : new AmqpConnection({ url: env.amqpUrl, name: 'seed-test-cleanup' })
    await own?.start()
    const ch = await (await (bus?.connection ?? own)!.waitForConnection(5000)).createChannel()
    await deleteServiceTopology(ch, { service, exchange, maxAttempts: 5, deleteExchange })
    await ch.close()
    await own?.close()
    if (bus) await close()
  }

  const userDb = await createTestDatabase(t, 'seed_users')
  const udb = createPostgres<UserDatabase>({ url: userDb.url, schema: userDb.schema, max: 5 })
  await migrateToLatest(udb, { schema: userDb.schema, migrations: userMigrations })
  const user = await buildUserApp({ config: userConfig, db: udb, redis, keys: [newSigningKey()] })
  await user.services.auth.ensureAdmin(ADMIN.email, ADMIN.password)
  const userUrl = await listen(user)
  t.teardown(async () => {
    await user.close()
    await udb.destroy()
  })
  const auth = { jwks: { url: `${userUrl}/.well-known/jwks.json` }, issuer: 'lms-user-service', audience: 'lms' }

  const courseConfig = readCourseConfig({
    MONGO_URL: env.mongoUrl, MONGO_DB: randomName('seed_courses'), REDIS_URL: env.redisUrl, AMQP_URL: env.amqpUrl,
    JWKS_URL: auth.jwks.url, CACHE_PREFIX: `${randomName('seedcourse')}:`, LOG_LEVEL: 'silent',
  })
  const mongo = await connectMongo(courseConfig.MONGO_URL, courseConfig.MONGO_DB)
  await migrateCourses(mongo.db)
  const busRef: { bus?: CourseBus } = {}
  const course = await buildCourseApp({ db: mongo.db, redis, config: courseConfig, auth, notifyOutbox: () => busRef.bus?.notify() })
  const courseService = randomName('course')
  const courseBus = busRef.bus = await CourseBus.connect({ amqpUrl: env.amqpUrl, db: mongo.db, registry: course.app.metrics, logger: course.app.log, exchange, service: courseService })
  await courseBus.consume(course.services)
  const courseUrl = await listen(course.app)
  t.teardown(async () => {
    await course.app.close()
    await stopBus(courseService, undefined, () => courseBus.stop(), true)
    await mongo.db.dropDatabase()
    await mongo.client.close()
  })

  const enrollmentDb = await createTestDatabase(t, 'seed_enrollments')
  const edb = createPostgres<EnrollmentDatabase>({ url: enrollmentDb.url, schema: enrollmentDb.schema, max: 5 })
  await migrateToLatest(edb, { schema: enrollmentDb.schema, migrations: enrollmentMigrations })
  const enrollment = await buildEnrollmentApp({ config: { LOG_LEVEL: 'silent' }, db: edb, auth })
  const enrollmentService = randomName('enrollment')
  const enrollmentBus = await startServiceBus({ service: enrollmentService, amqpUrl: env.amqpUrl, exchange, db: edb, listenUrl: enrollmentDb.url, handlers: enrollment.eventHandlers })
  const enrollmentUrl = await listen(enrollment)
  t.teardown(async () => {
    await enrollment.close()
    await stopBus(enrollmentService, enrollmentBus, () => enrollmentBus.close())
    await edb.destroy()
  })

  const assessmentDb = await createTestDatabase(t, 'seed_assessments')
  const adb = createPostgres<AssessmentDatabase>({ url: assessmentDb.url, schema: assessmentDb.schema, max: 5 })
  await migrateToLatest(adb, { schema: assessmentDb.schema, migrations: assessmentMigrations })
  const assessment = await buildAssessmentApp({ config: { LOG_LEVEL: 'silent' as never, SUBMIT_GRACE_SECONDS: 60 }, db: adb, auth })
  const assessmentService = randomName('assessment')
  const assessmentBus = await startServiceBus({ service: assessmentService, amqpUrl: env.amqpUrl, exchange, db: adb, listenUrl: assessmentDb.url, handlers: assessmentHandlers(adb) })
  const assessmentUrl = await listen(assessment)
  t.teardown(async () => {
    await assessment.close()
    await stopBus(assessmentService, assessmentBus, () => assessmentBus.close())
    await adb.destroy()
  })

  const gateway = await buildGateway({
    redis,
    keyPrefix: `${randomName('gw')}:`,
    upstreams: { user: userUrl, course: courseUrl, enrollment: enrollmentUrl, assessment: assessmentUrl, notification: DOWN },
    jwks: auth.jwks,
    issuer: 'lms-user-service',
    audience: 'lms',
    logLevel: 'silent',
    // The machine running the tests may be busy: the point here is the seed, not upstream latency.
    upstreamTimeoutMs: 60_000,
  })
  const gatewayUrl = await listen(gateway)
  t.teardown(() => gateway.close())
  return { gatewayUrl }
}

t.test('the demo seed loads a published catalog with enrolled students through the gateway, and a second run creates nothing', async (t) => {
  const { gatewayUrl } = await buildSuite(t)
  const secret = (name: string) => `${name}-secret-password`
  const size = { categories: 2, courses: 3, students: 5, concurrency: 3 }

  const first = await seedDemo({ base: gatewayUrl, admin: ADMIN, secret, size })
  t.same(first.totals, { categories: 2, courses: 3, students: 5 }, 'the catalog has the asked size')
  t.equal(first.created.courses, 3, 'three courses created')
  t.equal(first.created.assessments, 6, 'a quiz and an essay per course')
  t.ok(first.created.enrollments >= 5, 'every student enrolled at least once')

  const courses = await (await fetch(`${gatewayUrl}/api/v1/courses?limit=100`)).json() as { items: { code: string; status: string; categoryId: string }[] }
  t.same(courses.items.map((c) => c.code).sort(), ['DEMO-DSC-101', 'DEMO-PRG-101', 'DEMO-PRG-102'], 'anyone sees the published demo courses (200)')
  t.ok(courses.items.every((c) => c.status === 'published' && c.categoryId), 'each is published in a category')
  const categories = await (await fetch(`${gatewayUrl}/api/v1/categories`)).json() as { items: { name: string }[] }
  t.same(categories.items.map((c) => c.name).sort(), ['Data Science', 'Programming'], 'the categories are listed (200)')

  const login = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'student001@students.lms.local', password: secret('demo-student') }),
  })
  t.equal(login.status, 200, 'a demo student signs in with the demo student password')
  const { accessToken } = await login.json() as { accessToken: string }
  const mine = await (await fetch(`${gatewayUrl}/api/v1/enrollments/me`, { headers: { authorization: `Bearer ${accessToken}` } })).json() as { items: unknown[] }
  t.ok(mine.items.length >= 1, 'and sees own enrollments')

  const second = await seedDemo({ base: gatewayUrl, admin: ADMIN, secret, size })
  t.same(second.created, { users: 0, categories: 0, courses: 0, assessments: 0, enrollments: 0, progressUpdates: 0, attempts: 0 }, 'the second run creates nothing')
  t.same(second.totals, first.totals, 'and finds the same catalog')
})
