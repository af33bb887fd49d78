import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { createEvent, deleteServiceTopology, startServiceBus } from '@lms/events'
import { randomName, testEnv } from '@lms/kit/testing'
import { build, courseSnapshot, enroll, handle, outbox, publishCourse } from './helper.js'

t.test('course.updated replaces the read model; a stale version is ignored', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1, version: 2 })
  const { lessonIds: _ignored, ...stale } = courseSnapshot({ courseId: course.courseId, version: 1, status: 'archived' })
  await handle(built, createEvent('course.updated', { ...stale, instructorId: course.instructorId }, { source: 'course' }))
  let row = await built.db.selectFrom('courses').selectAll().where('id', '=', course.courseId).executeTakeFirstOrThrow()
  t.match(row, { status: 'published', version: 2, capacity: 1 })
  await handle(built, createEvent('course.updated', { ...course, version: 3, capacity: 10, title: 'New title' }, { source: 'course' }))
  row = await built.db.selectFrom('courses').selectAll().where('id', '=', course.courseId).executeTakeFirstOrThrow()
  t.match(row, { status: 'published', version: 3, capacity: 10, title: 'New title' })
})

async function completeAllLessons(built: Awaited<ReturnType<typeof build>>, headers: Record<string, string>, enrollmentId: string, lessonIds: string[]) {
  let last
  for (const lessonId of lessonIds) {
    last = await built.app.inject({ method: 'PUT', url: `/api/v1/enrollments/${enrollmentId}/progress`, headers, payload: { lessonId, status: 'completed' } })
  }
  return last!.json()
}

t.test('a required assessment passed (assessment.graded) completes the enrollment once, even when redelivered', async (t) => {
  const built = await build(t)
  const snapshotRequired = uuidv7()
  const course = await publishCourse(built, { lessons: 2, requiredAssessmentIds: [snapshotRequired] })
  const announced = uuidv7()
  await handle(built, createEvent('assessment.created', { assessmentId: announced, courseId: course.courseId, required: true, title: 'Final', passingScore: 70 }, { source: 'assessment' }))
  const student = built.token('student')
  const enrollment = (await enroll(built, student.headers, course.courseId)).json()
  const afterLessons = await completeAllLessons(built, student.headers, enrollment.id, course.lessonIds)
  t.match(afterLessons, { status: 'active', progressPercentage: 100 }, 'lessons alone do not complete it')

  const grade = (assessmentId: string, passed: boolean) => createEvent('assessment.graded', {
    attemptId: uuidv7(), assessmentId, courseId: course.courseId, userId: student.id, score: passed ? 90 : 10, passed, attemptNumber: 1, required: true,
  }, { source: 'assessment' })
  await handle(built, grade(snapshotRequired, false))
  await handle(built, grade(snapshotRequired, true))
  const last = grade(announced, true)
  t.equal(await handle(built, last), 'applied')
  t.equal(await handle(built, last), 'duplicate')
  const res = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${enrollment.id}`, headers: student.headers })
  t.match(res.json(), { status: 'completed', completedAt: String })
  const types = (await outbox(built)).map((e) => e.event_type)
  t.equal(types.filter((x) => x === 'enrollment.completed').length, 1)
  t.equal(types.filter((x) => x === 'certificate.issued').length, 1)
})

t.test('a deleted required assessment is no longer needed for completion', async (t) => {
  const built = await build(t)
  const assessmentId = uuidv7()
  const course = await publishCourse(built, { lessons: 1, requiredAssessmentIds: [assessmentId] })
  await handle(built, createEvent('assessment.deleted', { assessmentId, courseId: course.courseId, required: true }, { source: 'assessment' }))
  const student = built.token('student')
  const enrollment = (await enroll(built, student.headers, course.courseId)).json()
  const res = await completeAllLessons(built, student.headers, enrollment.id, course.lessonIds)
  t.equal(res.status, 'completed')
})

t.test('user.deleted anonymises the user\'s enrollments; the certificate still verifies without personal data', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { lessons: 1 })
  const other = await publishCourse(built, { capacity: 1 })
  const student = built.token('student')
  const done = (await enroll(built, student.headers, course.courseId)).json()
  await completeAllLessons(built, student.headers, done.id, course.lessonIds)
  await enroll(built, student.headers, other.courseId)
  const certificate = (await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${done.id}/certificate`, headers: student.headers })).json()

  const event = createEvent('user.deleted', { userId: student.id }, { source: 'user' })
  await handle(built, event)
  t.equal(await handle(built, event), 'duplicate')

  const mine = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/user/${student.id}`, headers: built.token('admin').headers })
  t.same(mine.json().items, [])
  const verify = await built.app.inject({ method: 'GET', url: `/api/v1/certificates/${certificate.verificationCode}` })
  t.equal(verify.statusCode, 200)
  t.same(verify.json(), {
    valid: true, verificationCode: certificate.verificationCode, courseId: course.courseId, courseTitle: course.title,
    holderName: null, completedAt: certificate.completedAt, issuedAt: certificate.issuedAt,
  })
  t.equal((await enroll(built, built.token('student').headers, other.courseId)).statusCode, 201, 'the deleted user\'s seat is free')
  const rows = await built.db.selectFrom('certificates').select('userId').execute()
  t.not(rows[0]!.userId, student.id)
})

t.test('course.published delivered through RabbitMQ reaches the read model and a student can enroll', async (t) => {
  const built = await build(t)
  const env = await testEnv()
  const service = randomName('enrollment')
  const exchange = randomName('ex')
  const bus = await startServiceBus({ service, amqpUrl: env.amqpUrl, exchange, db: built.db, handlers: built.app.eventHandlers })
  t.teardown(async () => {
    await bus.consumer?.stop()
    const ch = await (await bus.connection.waitForConnection(5000)).createChannel()
    await deleteServiceTopology(ch, { service, exchange, maxAttempts: 5, deleteExchange: true })
    await ch.close()
    await bus.close()
  })
  const { lessonIds: _l, ...data } = courseSnapshot()
  await bus.publisher.publish(createEvent('course.published', data, { source: 'course' }))
  let known = false
  for (let i = 0; i < 100 && !known; i++) {
    known = (await built.db.selectFrom('courses').select('id').where('id', '=', data.courseId).executeTakeFirst()) !== undefined
    if (!known) await new Promise((r) => setTimeout(r, 100))
  }
  t.ok(known, 'the course arrived')
  t.equal((await enroll(built, built.token('student').headers, data.courseId)).statusCode, 201)
})
