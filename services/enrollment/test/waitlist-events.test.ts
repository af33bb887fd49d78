import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { createEvent } from '@lms/events'
import { join as joinQueue } from '../src/waitlist/service.js'
import { build, enroll, handle, outbox, publishCourse, type Built } from './helper.js'

function join(built: Built, headers: Record<string, string>, courseId: string) {
  return built.app.inject({ method: 'POST', url: '/api/v1/enrollments', headers, payload: { courseId, waitlist: true } })
}

function leave(built: Built, headers: Record<string, string>, id: string) {
  return built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/waitlist/${id}`, headers })
}

async function waitlistEvents(built: Built) {
  return (await outbox(built)).filter((e) => e.event_type.startsWith('enrollment.waitlist'))
}

t.test('joining a full course commits enrollment.waitlisted with the entry, its position and the course title (202)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1, title: 'Compilers' })
  await enroll(built, built.token('student').headers, course.courseId)
  const first = built.token('student')
  const second = built.token('student')
  const a = (await join(built, first.headers, course.courseId)).json()
  const b = (await join(built, second.headers, course.courseId)).json()
  t.equal((await join(built, first.headers, course.courseId)).statusCode, 409)

  const events = await waitlistEvents(built)
  t.same(events.map((e) => e.event_type), ['enrollment.waitlisted', 'enrollment.waitlisted'], 'the refused second join published nothing')
  t.same(events[0]!.envelope.data, { waitlistEntryId: a.id, userId: first.id, courseId: course.courseId, position: 1, courseTitle: 'Compilers' })
  t.match(events[1]!.envelope.data, { waitlistEntryId: b.id, userId: second.id, position: 2 })
})

t.test('the waitlisted event and the entry commit or roll back together', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 0 })
  const userId = uuidv7()
  await t.rejects(built.db.transaction().execute(async (trx) => {
    await joinQueue(trx, userId, course.courseId)
    throw new Error('rolled back after the join')
  }), /rolled back/)
  t.same(await built.db.selectFrom('waitlistEntries').select('id').execute(), [], 'no entry')
  t.same(await waitlistEvents(built), [], 'no event')

  const entry = await built.db.transaction().execute((trx) => joinQueue(trx, userId, course.courseId))
  t.match((await waitlistEvents(built)).map((e) => e.envelope.data), [{ waitlistEntryId: entry.id, userId }])
})

t.test('leaving publishes enrollment.waitlist_left: left by the student, removed by an admin; a promoted entry publishes nothing more (204/409)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1 })
  const holder = built.token('student')
  const enrollment = (await enroll(built, holder.headers, course.courseId)).json()
  const [self, other, promoted] = [built.token('student'), built.token('student'), built.token('student')]
  const first = (await join(built, promoted.headers, course.courseId)).json()
  const mine = (await join(built, self.headers, course.courseId)).json()
  const theirs = (await join(built, other.headers, course.courseId)).json()

  t.equal((await leave(built, self.headers, mine.id)).statusCode, 204)
  t.equal((await leave(built, built.token('admin').headers, theirs.id)).statusCode, 204)
  await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${enrollment.id}`, headers: holder.headers })
  t.equal((await leave(built, promoted.headers, first.id)).statusCode, 409)

  const left = (await waitlistEvents(built)).filter((e) => e.event_type === 'enrollment.waitlist_left').map((e) => e.envelope.data)
  t.same(left.map((d) => [d.waitlistEntryId, d.reason]), [[mine.id, 'left'], [theirs.id, 'removed'], [first.id, 'promoted']])
  t.same(left[0], { waitlistEntryId: mine.id, userId: self.id, courseId: course.courseId, reason: 'left' })
})

t.test('a promotion publishes enrollment.created and then waitlist_left (promoted) with the new enrollment id, in the drop\'s transaction', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1 })
  const holder = built.token('student')
  const enrollment = (await enroll(built, holder.headers, course.courseId)).json()
  const waiter = built.token('student')
  const entry = (await join(built, waiter.headers, course.courseId)).json()
  await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${enrollment.id}`, headers: holder.headers })

  const events = (await outbox(built)).slice(2)
  t.same(events.map((e) => e.event_type), ['enrollment.dropped', 'enrollment.created', 'enrollment.waitlist_left'])
  t.same(events[2]!.envelope.data, {
    waitlistEntryId: entry.id, userId: waiter.id, courseId: course.courseId, reason: 'promoted', enrollmentId: events[1]!.envelope.data.enrollmentId,
  })
})

t.test('a waiting student who enrolls directly once a seat is free leaves the queue as promoted (201)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 1 })
  await enroll(built, built.token('student').headers, course.courseId)
  const waiter = built.token('student')
  const entry = (await join(built, waiter.headers, course.courseId)).json()
  const { lessonIds: _lessonIds, ...snapshot } = course
  await handle(built, createEvent('course.updated', { ...snapshot, version: 2, capacity: 2 }, { source: 'course' }))
  const direct = await enroll(built, waiter.headers, course.courseId)
  t.equal(direct.statusCode, 201)
  t.match((await waitlistEvents(built)).at(-1)!.envelope.data, { waitlistEntryId: entry.id, reason: 'promoted', enrollmentId: direct.json().id })
})

t.test('a waiting entry of a student who is enrolled already is removed at the next promotion as already_enrolled', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 2 })
  const enrolled = built.token('student')
  await enroll(built, enrolled.headers, course.courseId)
  const leaving = built.token('student')
  const seat = (await enroll(built, leaving.headers, course.courseId)).json()
  // Not reachable through the API (enrolling marks the entry promoted); the promotion loop guards against it anyway.
  const stale = uuidv7()
  await built.db.insertInto('waitlistEntries').values({ id: stale, userId: enrolled.id, courseId: course.courseId, status: 'waiting' }).execute()
  const waiter = built.token('student')
  const entry = (await join(built, waiter.headers, course.courseId)).json()
  await built.app.inject({ method: 'DELETE', url: `/api/v1/enrollments/${seat.id}`, headers: leaving.headers })

  const left = (await waitlistEvents(built)).filter((e) => e.event_type === 'enrollment.waitlist_left').map((e) => e.envelope.data)
  t.same(left.map((d) => [d.waitlistEntryId, d.reason]), [[stale, 'already_enrolled'], [entry.id, 'promoted']])
})

t.test('user.deleted removes waiting entries without a waitlist event (its consumers forget the person themselves)', async (t) => {
  const built = await build(t)
  const course = await publishCourse(built, { capacity: 0 })
  const gone = built.token('student')
  await join(built, gone.headers, course.courseId)
  await handle(built, createEvent('user.deleted', { userId: gone.id }, { source: 'user' }))
  t.same((await waitlistEvents(built)).map((e) => e.event_type), ['enrollment.waitlisted'])
})
