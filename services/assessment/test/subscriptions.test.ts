import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { createEvent, deleteServiceTopology, startServiceBus } from '@lms/events'
import { randomName, testEnv } from '@lms/kit/testing'
import { findCourse, isEnrolled } from '../src/read-models/repository.js'
import { build, correctAnswers, quizBody } from './helper.js'

async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const snapshot = (courseId: string, instructorId: string, version: number, status: 'published' | 'archived' = 'published') =>
  ({ courseId, version, title: 'C', instructorId, capacity: null, status, modules: [], requiredAssessmentIds: [] })

t.test('subscriptions', async (t) => {
  const ctx = await build(t)
  const { db, handlers } = ctx
  const run = (type: keyof typeof handlers, event: unknown) => ctx.call(type, event)

  t.test('course snapshots keep the instructor; an older version does not overwrite a newer one', async (t) => {
    const courseId = uuidv7()
    const first = uuidv7()
    const second = uuidv7()
    await run('course.published', createEvent('course.published', snapshot(courseId, first, 1), { source: 'course' }))
    await run('course.updated', createEvent('course.updated', snapshot(courseId, second, 3), { source: 'course' }))
    await run('course.updated', createEvent('course.updated', snapshot(courseId, first, 2), { source: 'course' }))
    t.match(await findCourse(db, courseId), { instructorId: second, version: 3, status: 'published' })
    await run('course.archived', createEvent('course.archived', { courseId }, { source: 'course' }))
    t.match(await findCourse(db, courseId), { status: 'archived' })
  })

  t.test('a redelivered event is applied once', async (t) => {
    const courseId = uuidv7()
    const userId = uuidv7()
    const created = createEvent('enrollment.created', { enrollmentId: uuidv7(), userId, courseId }, { source: 'enrollment' })
    t.equal(await run('enrollment.created', created), 'applied')
    await run('enrollment.dropped', createEvent('enrollment.dropped', { enrollmentId: uuidv7(), userId, courseId }, { source: 'enrollment' }))
    t.equal(await run('enrollment.created', created), 'duplicate')
    t.equal(await isEnrolled(db, userId, courseId), false, 'the replayed enrollment did not undo the drop')
  })

  t.test('user.deleted anonymises the user\'s attempts and forgets their enrollments', async (t) => {
    const { courseId, instructor } = await ctx.course()
    const student = await ctx.enrolledStudent(courseId)
    const quiz = (await ctx.app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })).json()
    const attempt = (await ctx.app.inject({ method: 'POST', url: `/api/v1/assessments/${quiz.id}/attempts`, headers: student.headers })).json()
    await ctx.app.inject({ method: 'POST', url: `/api/v1/assessments/${quiz.id}/submit`, headers: student.headers, payload: { attemptId: attempt.id, answers: correctAnswers(quiz.questions) } })

    await run('user.deleted', createEvent('user.deleted', { userId: student.id }, { source: 'user' }))
    const row = await db.selectFrom('attempts').selectAll().where('id', '=', attempt.id).executeTakeFirstOrThrow()
    t.not(row.userId, student.id)
    t.equal(row.anonymised, true)
    t.notOk(row.answers.some((a) => a.text !== undefined), 'free-text answers are erased')
    t.equal(row.score, 100, 'the score stays for statistics')
    t.equal(await isEnrolled(db, student.id, courseId), false)
  })

  t.test('events arriving through RabbitMQ build the read model', async (t) => {
    const env = await testEnv()
    const exchange = randomName('ex')
    const service = randomName('assessment')
    const bus = await startServiceBus({ service, amqpUrl: env.amqpUrl, handlers, exchange, maxAttempts: 2 })
    t.teardown(async () => {
      await bus.close()
      const cleanup = await startServiceBus({ service: randomName('cleanup'), amqpUrl: env.amqpUrl, exchange })
      const conn = await cleanup.connection.waitForConnection(5000)
      const ch = await conn.createChannel()
      await deleteServiceTopology(ch, { service, exchange, maxAttempts: 2 })
      await ch.deleteExchange(exchange)
      await ch.close()
      await cleanup.close()
    })
    const courseId = uuidv7()
    const instructorId = uuidv7()
    const userId = uuidv7()
    await bus.publisher.publish(createEvent('course.published', snapshot(courseId, instructorId, 1), { source: 'course' }))
    await bus.publisher.publish(createEvent('enrollment.created', { enrollmentId: uuidv7(), userId, courseId }, { source: 'enrollment' }))
    await eventually('the course', () => findCourse(db, courseId))
    await eventually('the enrollment', () => isEnrolled(db, userId, courseId))
    t.pass('course and enrollment arrived through the broker')
  })
})
