import t, { type Test } from 'tap'
import { build, enroll, outbox, publishCourse, type Built } from './helper.js'

async function setup(t: Test, overrides: Parameters<typeof publishCourse>[1] = {}, onQuery?: (sql: string) => void) {
  const built = await build(t, onQuery ? { onQuery } : {})
  const course = await publishCourse(built, overrides)
  const student = built.token('student')
  const enrollment = (await enroll(built, student.headers, course.courseId)).json() as { id: string }
  const progress = (lessonId: string, status: string, extra: Record<string, unknown> = {}, headers = student.headers) =>
    built.app.inject({ method: 'PUT', url: `/api/v1/enrollments/${enrollment.id}/progress`, headers, payload: { lessonId, status, ...extra } })
  return { built, course, student, enrollment, progress }
}

async function milestones(built: Built) {
  return (await outbox(built)).filter((e) => e.event_type === 'enrollment.progressed').map((e) => e.envelope.data.milestone)
}

t.test('completing lessons recomputes the percentage and emits each milestone once (200)', async (t) => {
  const { built, course, progress } = await setup(t, { lessons: 4 })
  const [a, b, c] = course.lessonIds
  let res = await progress(a!, 'in_progress', { completionPercentage: 40 })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { progressPercentage: 0, lessons: [{ lessonId: a, status: 'in_progress', completionPercentage: 40 }] })
  res = await progress(a!, 'completed')
  t.equal(res.json().progressPercentage, 25)
  res = await progress(a!, 'completed')
  t.equal(res.json().progressPercentage, 25)
  res = await progress(b!, 'completed')
  t.equal(res.json().progressPercentage, 50)
  res = await progress(c!, 'completed')
  t.equal(res.json().progressPercentage, 75)
  t.same(await milestones(built), [25, 50, 75])
})

t.test('a progress write is one statement (record_lesson_progress, no transaction); a crossed milestone writes in a transaction with its event (200)', async (t) => {
  let statements: string[] | undefined
  const { course, progress } = await setup(t, { lessons: 20 }, (sql) => statements?.push(sql))
  const [a, b, c, d, e] = course.lessonIds
  for (const lessonId of [a, b, c, d]) await progress(lessonId!, 'completed')
  const kinds = (sent: string[]) => sent.map((s) => s.trim().split(/\s+/)[0]!.toLowerCase())

  statements = []
  t.equal((await progress(e!, 'in_progress', { completionPercentage: 30 })).statusCode, 200)
  let sent = statements
  t.same(kinds(sent), ['select'])
  t.match(sent[0], /record_lesson_progress/)

  statements = []
  const res = await progress(e!, 'completed')
  sent = statements
  statements = undefined
  t.match(res.json(), { progressPercentage: 25 })
  t.same(kinds(sent), ['select', 'begin', 'select', 'with', 'commit'], 'the plain attempt writes nothing; the transaction writes the lesson and the milestone event')
  t.equal(sent.filter((s) => /insert into outbox/i.test(s)).length, 1, 'the milestone event')
})

t.test('a lesson id from another course answers 422', async (t) => {
  const { progress } = await setup(t)
  const res = await progress('01900000-0000-7000-8000-000000000000', 'completed')
  t.equal(res.statusCode, 422)
  t.equal(res.json().code, 'ENR_ERR_LESSON_NOT_IN_COURSE')
})

t.test('a lesson whose prerequisites are not completed answers 422 with the missing lesson ids', async (t) => {
  const { course, progress } = await setup(t, { lessons: 3, prerequisites: { 2: [0, 1] } })
  const [a, b, c] = course.lessonIds
  await progress(a!, 'completed')
  const res = await progress(c!, 'in_progress')
  t.equal(res.statusCode, 422)
  t.match(res.json(), { code: 'ENR_ERR_PREREQUISITES_NOT_MET', missingLessonIds: [b] })
  await progress(b!, 'completed')
  t.equal((await progress(c!, 'in_progress')).statusCode, 200)
})

t.test('a write refused for unmet prerequisites (422) records nothing: the lesson stays untouched and the percentage unchanged', async (t) => {
  const { built, course, student, enrollment, progress } = await setup(t, { lessons: 2, prerequisites: { 1: [0] } })
  const [a, b] = course.lessonIds
  await progress(a!, 'in_progress', { completionPercentage: 50 })
  t.equal((await progress(b!, 'completed')).statusCode, 422)
  const res = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${enrollment.id}`, headers: student.headers })
  t.match(res.json(), { progressPercentage: 0, lessons: [{ lessonId: a, status: 'in_progress', completionPercentage: 50 }] })
  t.equal(res.json().lessons.length, 1)
  t.same(await milestones(built), [])
})

t.test('a completed lesson visited again keeps its first completion time; back to in progress it clears and the percentage drops, milestones stay emitted once (200)', async (t) => {
  const { built, course, progress } = await setup(t, { lessons: 4 })
  const [a] = course.lessonIds
  const first = (await progress(a!, 'completed')).json()
  t.equal(first.progressPercentage, 25)
  const completedAt = first.lessons[0].completedAt
  t.type(completedAt, 'string')
  await new Promise((resolve) => setTimeout(resolve, 5))
  const again = (await progress(a!, 'completed')).json()
  t.match(again.lessons, [{ lessonId: a, status: 'completed', completedAt }])
  t.not(again.lessons[0].lastAccessedAt, first.lessons[0].lastAccessedAt)
  const reopened = (await progress(a!, 'in_progress', { completionPercentage: 10 })).json()
  t.match(reopened, { progressPercentage: 0, lessons: [{ lessonId: a, status: 'in_progress', completionPercentage: 10, completedAt: null }] })
  t.equal((await progress(a!, 'completed')).json().progressPercentage, 25)
  t.same(await milestones(built), [25])
})

t.test('a completion percentage outside 0–100 answers 400', async (t) => {
  const { course, progress } = await setup(t)
  t.equal((await progress(course.lessonIds[0]!, 'in_progress', { completionPercentage: 101 })).statusCode, 400)
  t.equal((await progress(course.lessonIds[0]!, 'in_progress', { completionPercentage: -1 })).statusCode, 400)
  t.equal((await progress(course.lessonIds[0]!, 'done')).statusCode, 400)
})

t.test('progress on someone else\'s enrollment answers 404', async (t) => {
  const { built, course, progress } = await setup(t)
  const res = await progress(course.lessonIds[0]!, 'completed', {}, built.token('student').headers)
  t.equal(res.statusCode, 404)
})

t.test('progress after drop answers 409', async (t) => {
  const { built, course, student, enrollment, progress } = await setup(t)
  await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${enrollment.id}`, headers: student.headers })
  const res = await progress(course.lessonIds[0]!, 'completed')
  t.equal(res.statusCode, 409)
  t.equal(res.json().code, 'ENR_ERR_ENROLLMENT_DROPPED')
})

t.test('concurrent progress updates lose nothing: every completed lesson counts and each milestone is emitted once', async (t) => {
  const { built, course, progress } = await setup(t, { lessons: 4 })
  const results = await Promise.all([
    ...course.lessonIds.map((id) => progress(id, 'completed')),
    progress(course.lessonIds[0]!, 'completed'),
  ])
  t.same(results.map((r) => r.statusCode), [200, 200, 200, 200, 200])
  const res = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${results[0]!.json().id}`, headers: built.token('admin').headers })
  t.match(res.json(), { status: 'completed', progressPercentage: 100 })
  t.equal(res.json().lessons.length, 4)
  t.same(await milestones(built), [25, 50, 75, 100])
})

t.test('concurrent writes that cross no milestone (one statement each) lose nothing: 4 of 20 lessons completed at once make 20 % (200)', async (t) => {
  const { built, course, enrollment, progress } = await setup(t, { lessons: 20 })
  const results = await Promise.all(course.lessonIds.slice(0, 4).map((id) => progress(id, 'completed')))
  t.same(results.map((r) => r.statusCode), [200, 200, 200, 200])
  t.same(results.map((r) => r.json().progressPercentage).sort((a, b) => a - b), [5, 10, 15, 20], 'each write counted the ones before it')
  const res = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${enrollment.id}`, headers: built.token('admin').headers })
  t.match(res.json(), { status: 'active', progressPercentage: 20 })
  t.equal(res.json().lessons.length, 4)
  t.same(await milestones(built), [])
})

t.test('completing every lesson of a course without required assessments completes it and issues a certificate', async (t) => {
  const { built, course, progress } = await setup(t, { lessons: 2 })
  await progress(course.lessonIds[0]!, 'completed')
  const res = await progress(course.lessonIds[1]!, 'completed')
  t.match(res.json(), { status: 'completed', progressPercentage: 100, completedAt: String })
  const types = (await outbox(built)).map((e) => e.event_type)
  t.same(types, ['enrollment.created', 'enrollment.progressed', 'enrollment.progressed', 'enrollment.progressed', 'enrollment.progressed', 'enrollment.completed', 'certificate.issued'])
  const metrics = await built.app.inject({ method: 'GET', url: '/metrics' })
  t.match(metrics.body, /lms_enrollments_completed_total(\{[^}]*\})? 1\n/)
})
