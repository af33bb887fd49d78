import { AmqpConnection, createEvent, deleteServiceTopology, EventPublisher, startConsumer, type AnyEventEnvelope } from '@lms/events'
import { randomName, testEnv } from '@lms/kit/testing'
import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { CourseBus } from '../../src/events/course-bus.js'
import { userDeletedHandler } from '../../src/subscriptions/user-deleted.handler.js'
import { build, courseWithLesson, publish } from '../helper.js'

async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

t.test('events through the outbox and RabbitMQ', async (t) => {
  const { amqpUrl } = await testEnv()
  const exchange = randomName('lms.events.test')
  const courseQueue = randomName('course')
  const probeQueue = randomName('probe')
  // The app's outbox wakes the bus, which needs the app's db and metrics: connected right after.
  const wiring: { bus?: CourseBus } = {}
  const built = await build(t, {}, { notifyOutbox: () => wiring.bus?.notify() })
  const { app, as, db } = built
  const bus = wiring.bus = await CourseBus.connect({ amqpUrl, db, registry: app.metrics, logger: app.log, exchange, service: courseQueue })
  await bus.consume(built.services)

  const received: AnyEventEnvelope[] = []
  const probeConnection = new AmqpConnection({ url: amqpUrl, name: 'course-test-probe' })
  await probeConnection.start()
  const record = async (e: AnyEventEnvelope) => { received.push(e) }
  const probe = await startConsumer({
    connection: probeConnection, service: probeQueue, exchange,
    handlers: { 'course.created': { 1: record }, 'course.published': { 1: record }, 'course.updated': { 1: record }, 'course.archived': { 1: record } },
  })
  const publisher = new EventPublisher({ connection: probeConnection, service: 'user', exchange })
  t.teardown(async () => {
    await probe.stop()
    await bus?.stop()
    const conn = await probeConnection.waitForConnection(5000)
    const ch = await conn.createChannel()
    for (const service of [courseQueue, probeQueue]) await deleteServiceTopology(ch, { service, exchange, maxAttempts: 5 })
    await ch.deleteExchange(exchange)
    await ch.close()
    await probeConnection.close()
  })

  const owner = as('instructor')
  const admin = as('admin')

  await t.test('publishing emits course.published with the outline; an edit course.updated; archiving course.archived', async (t) => {
    const { id, moduleId, lessonId } = await courseWithLesson(built, owner)
    await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/modules/${moduleId}/lessons`, headers: owner.headers, payload: { title: 'Final quiz', lessonType: 'assessment', assessmentId: '01890000-0000-7000-8000-0000000000aa' } })
    const draftEvents = received.filter((e) => (e.data as { courseId?: string }).courseId === id && e.type !== 'course.created')
    t.equal(draftEvents.length, 0, 'drafts publish nothing but course.created')
    await publish(built, id, admin)
    const published = await eventually('course.published', async () => received.find((e) => e.type === 'course.published' && e.data.courseId === id))
    t.match(published.data, { courseId: id, status: 'published', instructorId: owner.id, capacity: null, requiredAssessmentIds: ['01890000-0000-7000-8000-0000000000aa'] })
    t.equal((published.data as { modules: Array<{ id: string; lessons: Array<{ id: string }> }> }).modules[0]!.id, moduleId)
    t.equal((published.data as { modules: Array<{ id: string; lessons: Array<{ id: string }> }> }).modules[0]!.lessons[0]!.id, lessonId)
    await app.inject({ method: 'PUT', url: `/api/v1/courses/${id}`, headers: owner.headers, payload: { capacity: 25 } })
    const updated = await eventually('course.updated', async () => received.find((e) => e.type === 'course.updated' && e.data.courseId === id))
    t.equal((updated.data as { capacity: number }).capacity, 25)
    await app.inject({ method: 'POST', url: `/api/v1/courses/${id}/archive`, headers: owner.headers })
    await eventually('course.archived', async () => received.find((e) => e.type === 'course.archived' && e.data.courseId === id))
    const doc = await eventually('an empty outbox', async () => {
      const d = await db.collection('courses').findOne({ _id: id as never })
      return d && (d.pendingEvents ?? []).length === 0 ? d : null
    })
    t.ok(doc)
    const order = received.filter((e) => (e.data as { courseId?: string }).courseId === id).map((e) => e.type)
    t.same(order, ['course.created', 'course.published', 'course.updated', 'course.archived'])
  })

  await t.test('user.deleted archives the deleted instructor\'s courses (default policy) and is idempotent', async (t) => {
    const leaver = as('instructor')
    const live = await courseWithLesson(built, leaver)
    await publish(built, live.id, admin)
    const draft = await courseWithLesson(built, leaver)
    const event = createEvent('user.deleted', { userId: leaver.id }, { source: 'user' })
    await publisher.publish(event)
    await publisher.publish(event)
    await eventually('archived courses', async () => {
      const docs = await db.collection('courses').find({ instructorId: leaver.id }).toArray()
      return docs.length === 2 && docs.every((d) => d.status === 'archived')
    })
    await eventually('course.archived for the published one', async () => received.find((e) => e.type === 'course.archived' && e.data.courseId === live.id))
    t.notOk(received.some((e) => e.type === 'course.archived' && e.data.courseId === draft.id), 'a never-published draft announces nothing')
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/courses/${live.id}` })).statusCode, 404)
  })
})

t.test('user.deleted with USER_DELETED_POLICY=reassign moves courses to the configured admin', async (t) => {
  const adminId = uuidv7()
  const built = await build(t, { USER_DELETED_POLICY: 'reassign', REASSIGN_TO_ADMIN_ID: adminId })
  const leaver = built.as('instructor')
  const admin = built.as('admin')
  const live = await courseWithLesson(built, leaver)
  await publish(built, live.id, admin)
  const handle = userDeletedHandler(built.services)
  const event = createEvent('user.deleted', { userId: leaver.id }, { source: 'user' })
  await handle(event)
  t.equal(await handle(event), 'duplicate', 'a redelivered event is skipped')
  const course = await built.app.inject({ method: 'GET', url: `/api/v1/courses/${live.id}` })
  t.match(course.json(), { instructorId: adminId, status: 'published' })
  const doc = await built.db.collection('courses').findOne({ _id: live.id as never })
  t.equal(doc?.pendingEvents?.at(-1)?.envelope.type, 'course.updated', 'the reassignment is announced through the outbox')
})

t.test('the config refuses reassign without an admin id', async (t) => {
  const { readConfig } = await import('../../src/config.js')
  t.throws(() => readConfig({ MONGO_URL: 'mongodb://x', REDIS_URL: 'redis://x', AMQP_URL: 'amqp://x', JWKS_URL: 'http://x/jwks', USER_DELETED_POLICY: 'reassign' }), /REASSIGN_TO_ADMIN_ID/)
})
