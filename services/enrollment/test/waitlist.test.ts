import t from 'tap'
import { createEvent } from '@lms/events'
import { build, enroll, handle, outbox, publishCourse, type Built } from './helper.js'

function join(built: Built, headers: Record<string, string>, courseId: string) {
  return built.app.inject({ method: 'POST', url: '/api/v1/enrollments', headers, payload: { courseId, waitlist: true } })
}

t.test('a full course queues a student who asks for the waitlist (202 with position); without it 409 course_full', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1 })
  t.equal((await join(built, built.token('student').headers, course.courseId)).statusCode, 201)
  const plain = await enroll(built, built.token('student').headers, course.courseId)
  t.equal(plain.statusCode, 409)
  t.equal(plain.json().code, 'ENR_ERR_COURSE_FULL')

  const first = built.token('student')
  const second = built.token('student')
  const a = await join(built, first.headers, course.courseId)
  t.equal(a.statusCode, 202, a.body)
  t.match(a.json(), { userId: first.id, courseId: course.courseId, status: 'waiting', position: 1, enrollmentId: null })
  t.equal(a.headers.location, `/api/v1/enrollments/waitlist/${a.json().id}`)
  const b = await join(built, second.headers, course.courseId)
  t.match(b.json(), { status: 'waiting', position: 2 })

  const again = await join(built, first.headers, course.courseId)
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'ENR_ERR_ALREADY_WAITLISTED')

  const mine = await built.app.inject({ method: 'GET', url: '/api/v1/enrollments/waitlist/me', headers: second.headers })
  t.equal(mine.statusCode, 200)
  t.match(mine.json(), { items: [{ id: b.json().id, position: 2 }], nextCursor: null })
  t.same((await outbox(built)).map((e) => e.event_type), ['enrollment.created', 'enrollment.waitlisted', 'enrollment.waitlisted'], 'the refused join publishes nothing')
})

t.test('dropping promotes the first waiting student in the same transaction with enrollment.created (204)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1 })
  const holder = built.token('student')
  const enrollment = (await enroll(built, holder.headers, course.courseId)).json()
  const first = built.token('student')
  const second = built.token('student')
  const entry = (await join(built, first.headers, course.courseId)).json()
  const later = (await join(built, second.headers, course.courseId)).json()

  const drop = await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${enrollment.id}`, headers: holder.headers })
  t.equal(drop.statusCode, 204)

  const promoted = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/waitlist/${entry.id}`, headers: first.headers })
  t.match(promoted.json(), { status: 'promoted', position: null, enrollmentId: String })
  const own = await built.app.inject({ method: 'GET', url: '/api/v1/enrollments/me', headers: first.headers })
  t.match(own.json().items, [{ id: promoted.json().enrollmentId, status: 'active' }])
  const still = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/waitlist/${later.id}`, headers: second.headers })
  t.match(still.json(), { status: 'waiting', position: 1 })

  const events = await outbox(built)
  t.same(events.map((e) => e.event_type), [
    'enrollment.created', 'enrollment.waitlisted', 'enrollment.waitlisted', 'enrollment.dropped', 'enrollment.created', 'enrollment.waitlist_left',
  ])
  t.match(events[4]!.envelope.data, { userId: first.id, courseId: course.courseId, enrollmentId: promoted.json().enrollmentId })
  const metrics = await built.app.inject({ method: 'GET', url: '/metrics' })
  t.match(metrics.body, /lms_enrollments_created_total(\{[^}]*\})? 2\n/)
})

t.test('concurrent joins get distinct positions and concurrent drops promote exactly as many as seats freed', async (t) => {
  const built = await build(t, { poolMax: 10 })
  const course = await publishCourse(built, { capacity: 3 })
  const students = Array.from({ length: 12 }, () => built.token('student'))
  const results = await Promise.all(students.map((s) => join(built, s.headers, course.courseId)))
  const codes = results.map((r) => r.statusCode)
  t.equal(codes.filter((c) => c === 201).length, 3)
  t.equal(codes.filter((c) => c === 202).length, 9)
  t.same(results.filter((r) => r.statusCode === 202).map((r) => r.json().position).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9])

  const holders = results.map((r, i) => ({ r, s: students[i]! })).filter(({ r }) => r.statusCode === 201)
  const drops = await Promise.all(holders.map(({ r, s }) => built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${r.json().id}`, headers: s.headers })))
  t.same(drops.map((d) => d.statusCode), [204, 204, 204])

  const admin = built.token('admin', course.instructorId)
  const stats = await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/course/${course.courseId}/stats`, headers: admin.headers })
  t.match(stats.json(), { active: 3, dropped: 3 })
  const byPosition = results.filter((r) => r.statusCode === 202).map((r) => r.json()).sort((a, b) => a.position - b.position)
  const after = await Promise.all(byPosition.map((e) => built.app.inject({ method: 'GET', url: `/api/v1/enrollments/waitlist/${e.id}`, headers: admin.headers })))
  t.same(after.map((r) => r.json().status), ['promoted', 'promoted', 'promoted', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting'], 'the first three in the queue were promoted')
  t.same(after.slice(3).map((r) => r.json().position), [1, 2, 3, 4, 5, 6])
})

t.test('leaving the waitlist (204); someone else\'s entry 404; a promoted entry cannot be left (409)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1 })
  const holder = built.token('student')
  const enrollment = (await enroll(built, holder.headers, course.courseId)).json()
  const first = built.token('student')
  const second = built.token('student')
  const a = (await join(built, first.headers, course.courseId)).json()
  const b = (await join(built, second.headers, course.courseId)).json()

  t.equal((await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/waitlist/${b.id}`, headers: first.headers })).statusCode, 404)
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/waitlist/${b.id}`, headers: first.headers })).statusCode, 404)
  t.equal((await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/waitlist/${b.id}`, headers: second.headers })).statusCode, 204)

  await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${enrollment.id}`, headers: holder.headers })
  const left = await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/waitlist/${a.id}`, headers: first.headers })
  t.equal(left.statusCode, 409)
  t.equal(left.json().code, 'ENR_ERR_WAITLIST_ENTRY_PROMOTED')
})

t.test('a waitlist request into a course with a free seat enrolls at once (201)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 2 })
  const res = await join(built, built.token('student').headers, course.courseId)
  t.equal(res.statusCode, 201)
  t.match(res.json(), { status: 'active' })
})

t.test('user.deleted removes the person\'s waiting entries; the queue behind closes up', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1 })
  await enroll(built, built.token('student').headers, course.courseId)
  const leaving = built.token('student')
  const staying = built.token('student')
  const gone = (await join(built, leaving.headers, course.courseId)).json()
  const kept = (await join(built, staying.headers, course.courseId)).json()
  await handle(built, createEvent('user.deleted', { userId: leaving.id }, { source: 'user' }))
  const admin = built.token('admin')
  t.equal((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/waitlist/${gone.id}`, headers: admin.headers })).statusCode, 404)
  t.match((await built.app.inject({ method: 'GET', url: `/api/v1/enrollments/waitlist/${kept.id}`, headers: staying.headers })).json(), { status: 'waiting', position: 1 })
})
