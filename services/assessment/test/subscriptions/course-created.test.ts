import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { createEvent } from '@lms/events'
import { build, quizBody } from '../helper.js'

t.test('course.created', async (t) => {
  const { app, db, person, call } = await build(t)
  const courseRow = (id: string) => db.selectFrom('courses').selectAll().where('id', '=', id).executeTakeFirst()
  const created = (courseId: string, instructorId: string) =>
    createEvent('course.created', { courseId, instructorId, title: 'Draft', status: 'draft' }, { source: 'course' })
  const published = (courseId: string, instructorId: string, version: number) =>
    createEvent('course.published', {
      courseId, version, title: 'Live', instructorId, capacity: null, status: 'published', modules: [], requiredAssessmentIds: [],
    }, { source: 'course' })

  await t.test('the instructor of a draft course creates an assessment for it (201)', async (t) => {
    const instructor = person('instructor')
    const courseId = uuidv7()
    await call('course.created', created(courseId, instructor.id))
    t.match(await courseRow(courseId), { instructorId: instructor.id, status: 'draft' })
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })
    t.equal(res.statusCode, 201, res.body)
  })

  await t.test('another instructor cannot create an assessment for the draft (403)', async (t) => {
    const instructor = person('instructor')
    const courseId = uuidv7()
    await call('course.created', created(courseId, instructor.id))
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: person('instructor').headers, payload: quizBody(courseId) })
    t.equal(res.statusCode, 403, res.body)
  })

  await t.test('a later course.published upgrades the draft to published', async (t) => {
    const instructor = person('instructor')
    const courseId = uuidv7()
    await call('course.created', created(courseId, instructor.id))
    await call('course.published', published(courseId, instructor.id, 3))
    t.match(await courseRow(courseId), { status: 'published', version: 3 })
  })

  await t.test('a course.created arriving after course.published changes nothing', async (t) => {
    const instructor = person('instructor')
    const courseId = uuidv7()
    await call('course.published', published(courseId, instructor.id, 1))
    await call('course.created', created(courseId, person('instructor').id))
    t.match(await courseRow(courseId), { instructorId: instructor.id, status: 'published', version: 1 })
  })

  await t.test('a redelivered course.created is handled once', async (t) => {
    const instructor = person('instructor')
    const courseId = uuidv7()
    const event = created(courseId, instructor.id)
    await call('course.created', event)
    await call('course.created', event)
    const rows = await db.selectFrom('courses').select('id').where('id', '=', courseId).execute()
    t.equal(rows.length, 1)
    t.match(await courseRow(courseId), { status: 'draft', version: 0 })
  })
})
