import t from 'tap'
import { createEvent } from '@lms/events'
import { build, enroll, outbox, publishCourse } from './helper.js'

t.test('a student enrolls in a published course (201) and enrollment.created carries instructor and title', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built)
  const student = built.token('student')
  const res = await enroll(built, student.headers, course.courseId)
  t.equal(res.statusCode, 201, res.body)
  const body = res.json()
  t.match(body, { userId: student.id, courseId: course.courseId, status: 'active', progressPercentage: 0, completedAt: null })
  const events = await outbox(built)
  t.same(events.map((e) => e.event_type), ['enrollment.created'])
  t.match(events[0]!.envelope.data, { enrollmentId: body.id, instructorId: course.instructorId, courseTitle: course.title })
  const metrics = await built.app.inject({ method: 'GET', url: '/metrics' })
  t.match(metrics.body, /lms_enrollments_created_total(\{[^}]*\})? 1\n/)
})

t.test('an enrollment is four statements: begin, enroll_in_course (course lock, checks, insert), the enrollment.created outbox row, commit (201)', async (t) => {
  let statements: string[] | undefined
  const built = await build(t, { onQuery: (sql) => statements?.push(sql) })
  const course = await publishCourse(built, { capacity: 10 })
  statements = []
  t.equal((await enroll(built, built.token('student').headers, course.courseId)).statusCode, 201)
  const sent = statements
  statements = undefined
  t.same(sent.map((s) => s.trim().split(/\s+/)[0]!.toLowerCase()), ['begin', 'select', 'with', 'commit'])
  t.match(sent[1], /enroll_in_course/)
  t.match(sent[2], /insert into outbox/i)
})

t.test('enrolling in a course the read model does not know answers 404 ENR_ERR_COURSE_NOT_AVAILABLE', async (t) => {
  const built = await build(t)
  const res = await enroll(built, built.token('student').headers, '01900000-0000-7000-8000-000000000000')
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'ENR_ERR_COURSE_NOT_AVAILABLE')
})

t.test('enrolling in a draft or archived course answers 422', async (t) => {
  const built = await build(t)
  const draft = await publishCourse(built, { status: 'draft' })
  const archived = await publishCourse(built)
  await built.app.eventHandlers['course.archived']![1]!(createEvent('course.archived', { courseId: archived.courseId }, { source: 'course' }) as never, {} as never)
  const student = built.token('student')
  t.equal((await enroll(built, student.headers, draft.courseId)).statusCode, 422)
  t.equal((await enroll(built, student.headers, archived.courseId)).statusCode, 422)
})

t.test('a second enrollment of the same user in the same course answers 409, also when both race', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built)
  const student = built.token('student')
  const results = await Promise.all(Array.from({ length: 5 }, () => enroll(built, student.headers, course.courseId)))
  t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409])
  t.equal((await enroll(built, student.headers, course.courseId)).statusCode, 409)
})

t.test('20 concurrent enrollments into a course of capacity 5: exactly 5 succeed, the rest 409 course_full', async (t) => {
  const built = await build(t, { poolMax: 10 })
  const course = await publishCourse(built, { capacity: 5 })
  const results = await Promise.all(Array.from({ length: 20 }, () => enroll(built, built.token('student').headers, course.courseId)))
  const codes = results.map((r) => r.statusCode)
  t.equal(codes.filter((c) => c === 201).length, 5)
  t.equal(codes.filter((c) => c === 409).length, 15)
  for (const r of results.filter((r) => r.statusCode === 409)) t.match(r.json(), { code: 'ENR_ERR_COURSE_FULL', reason: 'course_full' })
})

t.test('dropping frees the seat (204), a dropped enrollment cannot be dropped again (409)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1 })
  const first = built.token('student')
  const second = built.token('student')
  const enrollment = (await enroll(built, first.headers, course.courseId)).json()
  t.equal((await enroll(built, second.headers, course.courseId)).statusCode, 409)
  const drop = await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${enrollment.id}`, headers: first.headers })
  t.equal(drop.statusCode, 204)
  t.equal((await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${enrollment.id}`, headers: first.headers })).statusCode, 409)
  t.equal((await enroll(built, second.headers, course.courseId)).statusCode, 201)
  const types = (await outbox(built)).map((e) => e.event_type)
  t.same(types, ['enrollment.created', 'enrollment.dropped', 'enrollment.created'])
})

t.test('an admin enrolls another user (201); a student may not (403)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built)
  const target = built.token('student')
  const asStudent = await built.app.inject({ method: 'POST', url: '/api/v1/enrollments', headers: built.token('student').headers, payload: { courseId: course.courseId, userId: target.id } })
  t.equal(asStudent.statusCode, 403)
  const asAdmin = await built.app.inject({ method: 'POST', url: '/api/v1/enrollments', headers: built.token('admin').headers, payload: { courseId: course.courseId, userId: target.id } })
  t.equal(asAdmin.statusCode, 201)
  t.equal(asAdmin.json().userId, target.id)
})

t.test('enrollment reads: me, user (self or admin), course roster (instructor or admin), by id (else 404)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built)
  const student = built.token('student')
  const other = built.token('student')
  const instructor = built.token('instructor', course.instructorId)
  const enrollment = (await enroll(built, student.headers, course.courseId)).json()

  const me = await built.app.inject({ method: 'GET', url: '/api/v1/enrollments/me', headers: student.headers })
  t.same(me.json().items.map((e: { id: string }) => e.id), [enrollment.id])
  t.equal(me.json().nextCursor, null)
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/user/${student.id}`, headers: student.headers })).statusCode, 200)
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/user/${student.id}`, headers: other.headers })).statusCode, 404)
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/user/${student.id}`, headers: built.token('admin').headers })).json().items.length, 1)

  const roster = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/course/${course.courseId}`, headers: instructor.headers })
  t.equal(roster.statusCode, 200)
  t.match(roster.json().items, [{ id: enrollment.id, progressPercentage: 0 }])
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/course/${course.courseId}`, headers: built.token('instructor').headers })).statusCode, 404)

  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${enrollment.id}`, headers: student.headers })).statusCode, 200)
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${enrollment.id}`, headers: instructor.headers })).statusCode, 200)
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${enrollment.id}`, headers: other.headers })).statusCode, 404)
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/${enrollment.id}` })).statusCode, 401)
})

t.test('course stats count enrolled, active, completed, dropped (instructor 200, stranger 404)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built)
  const a = built.token('student')
  await enroll(built, a.headers, course.courseId)
  const b = built.token('student')
  const eb = (await enroll(built, b.headers, course.courseId)).json()
  await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${eb.id}`, headers: b.headers })
  const res = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/course/${course.courseId}/stats`, headers: built.token('instructor', course.instructorId).headers })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { courseId: course.courseId, enrolled: 2, active: 1, completed: 0, dropped: 1, averageProgress: 0, completionRate: 0 })
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/course/${course.courseId}/stats`, headers: a.headers })).statusCode, 404)
})
