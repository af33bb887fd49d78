import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { bearer, build, emit, person } from './helper.js'

const snapshot = (courseId: string, instructorId: string) => ({
  courseId, version: 1, title: 'Algebra', instructorId, capacity: null, status: 'published' as const, modules: [], requiredAssessmentIds: [],
})

t.test('an instructor messages every current student of an own course, in batches (202)', async (t) => {
  const { app, db, token } = await build(t)
  const teacher = await person(app, { role: 'instructor' })
  const courseId = uuidv7()
  await emit(app, 'course.published', snapshot(courseId, teacher.userId))
  const students = [await person(app), await person(app), await person(app)]
  const outsider = await person(app)
  for (const s of students) await emit(app, 'enrollment.created', { enrollmentId: uuidv7(), userId: s.userId, courseId })
  await emit(app, 'enrollment.dropped', { enrollmentId: uuidv7(), userId: students[2]!.userId, courseId })

  const res = await app.inject({
    method: 'POST', url: '/api/v1/notifications', headers: bearer(token(teacher.userId, 'instructor')),
    payload: { courseId, title: 'Exam moved', body: 'The exam is on <Friday>.' },
  })
  t.equal(res.statusCode, 202)
  t.same(res.json(), { recipients: 2 })
  const got = await db.selectFrom('notifications').select(['userId', 'title', 'body']).where('type', '=', 'announcement').execute()
  t.same(got.map((r) => r.userId).sort(), [students[0]!.userId, students[1]!.userId].sort())
  t.match(got[0], { title: 'Exam moved', body: 'The exam is on <Friday>.' })
  t.notOk(got.some((r) => r.userId === outsider.userId))
})

t.test('bulk messages refused: another instructor\'s course (403), unknown course (403), no course (400), a student (403), bad body (400)', async (t) => {
  const { app, db, token } = await build(t)
  const owner = await person(app, { role: 'instructor' })
  const other = await person(app, { role: 'instructor' })
  const courseId = uuidv7()
  await emit(app, 'course.published', snapshot(courseId, owner.userId))
  const cases: Array<[string, string, object, number, RegExp]> = [
    ['course not theirs', token(other.userId, 'instructor'), { courseId, title: 'Hi', body: 'x' }, 403, /own courses/],
    ['unknown course', token(other.userId, 'instructor'), { courseId: uuidv7(), title: 'Hi', body: 'x' }, 403, /own courses/],
    ['instructor without a course', token(owner.userId, 'instructor'), { title: 'Hi', body: 'x' }, 400, /must name the course/],
    ['a student', token(uuidv7(), 'student'), { courseId, title: 'Hi', body: 'x' }, 403, /not allowed/],
    ['unknown field', token(owner.userId, 'instructor'), { courseId, title: 'Hi', body: 'x', priority: 1 }, 400, /priority|additional/],
    ['empty title', token(owner.userId, 'instructor'), { courseId, title: '', body: 'x' }, 400, /title/],
  ]
  for (const [name, tok, payload, status, pattern] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/notifications', headers: bearer(tok), payload })
    t.equal(res.statusCode, status, name)
    t.match(res.body, pattern, name)
  }
  t.equal((await db.selectFrom('notifications').select('id').where('type', '=', 'announcement').execute()).length, 0)
})

t.test('an admin messages everyone or one role; role changes move people between audiences (202)', async (t) => {
  const { app, db, token } = await build(t)
  const a = await person(app)
  const b = await person(app)
  const c = await person(app)
  await emit(app, 'user.role_changed', { userId: c.userId, oldRole: 'student', newRole: 'instructor', changedBy: uuidv7() })
  const admin = bearer(token(uuidv7(), 'admin'))
  const toInstructors = await app.inject({ method: 'POST', url: '/api/v1/notifications', headers: admin, payload: { audience: 'instructor', title: 'Teachers', body: 'Hello' } })
  t.same(toInstructors.json(), { recipients: 1 })
  const toStudents = await app.inject({ method: 'POST', url: '/api/v1/notifications', headers: admin, payload: { audience: 'student', title: 'Students', body: 'Hello' } })
  t.same(toStudents.json(), { recipients: 2 })
  const toAll = await app.inject({ method: 'POST', url: '/api/v1/notifications', headers: admin, payload: { title: 'Everyone', body: 'Hello' } })
  t.equal(toAll.statusCode, 202)
  t.same(toAll.json(), { recipients: 3 })
  const titles = async (userId: string) => (await db.selectFrom('notifications').select('title').where('userId', '=', userId).where('type', '=', 'announcement').orderBy('id').execute()).map((r) => r.title)
  t.same(await titles(a.userId), ['Students', 'Everyone'])
  t.same(await titles(b.userId), ['Students', 'Everyone'])
  t.same(await titles(c.userId), ['Teachers', 'Everyone'])
})
