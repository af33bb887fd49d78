import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { bearer, build, emit, person } from './helper.js'

t.test('user.registered stores the contact and a welcome notification with in-app and email deliveries (200)', async (t) => {
  const { app, db, token } = await build(t)
  const ada = await person(app, { fullName: 'Ada' })
  const res = await app.inject({ url: '/api/v1/notifications/me', headers: bearer(token(ada.userId)) })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.items.length, 1)
  t.match(body.items[0], { type: 'welcome', title: 'Welcome, Ada', readAt: null })
  t.equal(body.nextCursor, null)
  const contact = await db.selectFrom('userContacts').selectAll().where('userId', '=', ada.userId).executeTakeFirst()
  t.equal(contact?.email, ada.email)
  const deliveries = await app.inject({ url: `/api/v1/notifications/${body.items[0].id}/deliveries`, headers: bearer(token(ada.userId)) })
  t.equal(deliveries.statusCode, 200)
  t.same(deliveries.json().items.map((d: { channel: string; status: string }) => [d.channel, d.status]), [['email', 'queued'], ['in_app', 'sent']])
})

t.test('a redelivered event is applied once', async (t) => {
  const { app, db } = await build(t)
  const id = uuidv7()
  const userId = uuidv7()
  const data = { userId, email: 'once@example.test', fullName: 'Once', role: 'student' as const }
  t.equal(await emit(app, 'user.registered', data, id), 'applied')
  t.equal(await emit(app, 'user.registered', data, id), 'duplicate')
  const rows = await db.selectFrom('notifications').select('id').where('userId', '=', userId).execute()
  t.equal(rows.length, 1)
})

t.test('enrollment.created confirms to the student and tells the instructor; progress, completion, certificate and grades notify', async (t) => {
  const { app, token } = await build(t)
  const student = await person(app)
  const teacher = await person(app, { role: 'instructor', fullName: 'Grace' })
  const courseId = uuidv7()
  const enrollmentId = uuidv7()
  await emit(app, 'enrollment.created', { enrollmentId, userId: student.userId, courseId, instructorId: teacher.userId, courseTitle: 'Algebra' })
  await emit(app, 'enrollment.progressed', { enrollmentId, userId: student.userId, courseId, progressPercentage: 50, milestone: 50, courseTitle: 'Algebra' })
  await emit(app, 'assessment.graded', { attemptId: uuidv7(), assessmentId: uuidv7(), courseId, userId: student.userId, score: 40, passed: false, attemptNumber: 1, required: true, title: 'Quiz 1' })
  await emit(app, 'assessment.graded', { attemptId: uuidv7(), assessmentId: uuidv7(), courseId, userId: student.userId, score: 90, passed: true, attemptNumber: 2, required: true, title: 'Quiz 1' })
  await emit(app, 'enrollment.completed', { enrollmentId, userId: student.userId, courseId, completedAt: new Date().toISOString(), courseTitle: 'Algebra' })
  await emit(app, 'certificate.issued', { certificateId: uuidv7(), enrollmentId, userId: student.userId, courseId, verificationCode: 'ABC-123', courseTitle: 'Algebra' })

  const mine = (await app.inject({ url: '/api/v1/notifications/me', headers: bearer(token(student.userId)) })).json()
  t.same(mine.items.map((n: { type: string }) => n.type), [
    'certificate_issued', 'course_completed', 'assessment_passed', 'assessment_retry', 'progress_milestone', 'enrollment_confirmed', 'welcome',
  ])
  t.match(mine.items[0].body, /ABC-123/)
  t.match(mine.items[3].body, /40% on Quiz 1 \(attempt 1\)/)
  const teachers = (await app.inject({ url: '/api/v1/notifications/me', headers: bearer(token(teacher.userId, 'instructor')) })).json()
  t.match(teachers.items[0], { type: 'instructor_new_enrollment', title: 'New student in Algebra', body: 'Ada Lovelace enrolled in Algebra.' })
})

t.test('lists page with limit and cursor and filter unread; unread count, read, read-all and delete (200/204)', async (t) => {
  const { app, token } = await build(t)
  const ada = await person(app)
  const courseId = uuidv7()
  for (const milestone of [25, 50, 75] as const) {
    await emit(app, 'enrollment.progressed', { enrollmentId: uuidv7(), userId: ada.userId, courseId, progressPercentage: milestone, milestone })
  }
  const auth = bearer(token(ada.userId))
  const first = (await app.inject({ url: '/api/v1/notifications/me?limit=3', headers: auth })).json()
  t.equal(first.items.length, 3)
  t.type(first.nextCursor, 'string')
  const second = (await app.inject({ url: `/api/v1/notifications/me?limit=3&cursor=${first.nextCursor}`, headers: auth })).json()
  t.same(second.items.map((n: { type: string }) => n.type), ['welcome'])
  t.equal(second.nextCursor, null)

  t.same((await app.inject({ url: '/api/v1/notifications/me/unread-count', headers: auth })).json(), { count: 4 })
  const read = await app.inject({ method: 'PUT', url: `/api/v1/notifications/${first.items[0].id}/read`, headers: auth })
  t.equal(read.statusCode, 200)
  t.type(read.json().readAt, 'string')
  const unread = (await app.inject({ url: '/api/v1/notifications/me?unread=true', headers: auth })).json()
  t.equal(unread.items.length, 3)
  t.notOk(unread.items.some((n: { id: string }) => n.id === first.items[0].id))

  const del = await app.inject({ method: 'DELETE', url: `/api/v1/notifications/${first.items[1].id}`, headers: auth })
  t.equal(del.statusCode, 204)
  const all = await app.inject({ method: 'PUT', url: '/api/v1/notifications/read-all', headers: auth })
  t.same(all.json(), { updated: 2 })
  t.same((await app.inject({ url: '/api/v1/notifications/me/unread-count', headers: auth })).json(), { count: 0 })
  const bad = await app.inject({ url: '/api/v1/notifications/me?cursor=%%%', headers: auth })
  t.equal(bad.statusCode, 400)
})

t.test('someone else\'s notification is 404 to read, delete, list and inspect; an admin may list and inspect (404/200)', async (t) => {
  const { app, token } = await build(t)
  const ada = await person(app)
  const eve = await person(app)
  const adaList = (await app.inject({ url: '/api/v1/notifications/me', headers: bearer(token(ada.userId)) })).json()
  const id = adaList.items[0].id
  const eveAuth = bearer(token(eve.userId))
  for (const [method, url] of [['PUT', `/api/v1/notifications/${id}/read`], ['DELETE', `/api/v1/notifications/${id}`], ['GET', `/api/v1/notifications/${id}/deliveries`], ['GET', `/api/v1/notifications/user/${ada.userId}`]] as const) {
    const res = await app.inject({ method, url, headers: eveAuth })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.match(res.headers['content-type'], /application\/problem\+json/)
  }
  const missing = await app.inject({ method: 'PUT', url: `/api/v1/notifications/${uuidv7()}/read`, headers: eveAuth })
  t.equal(missing.statusCode, 404)
  const adminAuth = bearer(token(uuidv7(), 'admin'))
  t.equal((await app.inject({ url: `/api/v1/notifications/user/${ada.userId}`, headers: adminAuth })).json().items.length, 1)
  t.equal((await app.inject({ url: `/api/v1/notifications/${id}/deliveries`, headers: adminAuth })).statusCode, 200)
  t.equal((await app.inject({ url: `/api/v1/notifications/user/${ada.userId}`, headers: bearer(token(ada.userId)) })).statusCode, 200)
  t.equal((await app.inject({ url: '/api/v1/notifications/me' })).statusCode, 401)
})

t.test('preferences: defaults, muting email keeps in-app only, unknown type or channel is 400, security can\'t be muted (200/400/422)', async (t) => {
  const { app, db, token } = await build(t)
  const ada = await person(app)
  const auth = bearer(token(ada.userId))
  const defaults = (await app.inject({ url: '/api/v1/notifications/preferences', headers: auth })).json()
  t.ok(defaults.items.every((p: { enabled: boolean }) => p.enabled))
  t.match(defaults.items.find((p: { type: string }) => p.type === 'security_notice'), { mutable: false })

  const put = await app.inject({
    method: 'PUT', url: '/api/v1/notifications/preferences', headers: auth,
    payload: { preferences: [{ type: 'progress_milestone', channel: 'email', enabled: false }, { type: 'course_completed', channel: 'in_app', enabled: false }] },
  })
  t.equal(put.statusCode, 200)
  t.match(put.json().items.find((p: { type: string; channel: string }) => p.type === 'progress_milestone' && p.channel === 'email'), { enabled: false })

  const courseId = uuidv7()
  await emit(app, 'enrollment.progressed', { enrollmentId: uuidv7(), userId: ada.userId, courseId, progressPercentage: 25, milestone: 25 })
  await emit(app, 'enrollment.completed', { enrollmentId: uuidv7(), userId: ada.userId, courseId, completedAt: new Date().toISOString() })
  await emit(app, 'user.role_changed', { userId: ada.userId, oldRole: 'student', newRole: 'instructor', changedBy: uuidv7() })
  const rows = await db.selectFrom('notifications').innerJoin('deliveries', 'deliveries.notificationId', 'notifications.id')
    .select(['notifications.type', 'notifications.inApp', 'deliveries.channel']).where('notifications.userId', '=', ada.userId).execute()
  const channels = (type: string) => rows.filter((r) => r.type === type).map((r) => r.channel).sort()
  t.same(channels('progress_milestone'), ['in_app'])
  t.same(channels('course_completed'), ['email'], 'in-app muted: only the email goes out')
  t.same(channels('security_notice'), ['email', 'in_app'])
  const listed = (await app.inject({ url: '/api/v1/notifications/me', headers: auth })).json()
  t.notOk(listed.items.some((n: { type: string }) => n.type === 'course_completed'), 'muted in-app is not listed')

  const cases: Array<[string, object, number, RegExp]> = [
    ['unknown type', { preferences: [{ type: 'spam', channel: 'email', enabled: false }] }, 400, /Unknown notification type/],
    ['unknown channel', { preferences: [{ type: 'welcome', channel: 'sms', enabled: false }] }, 400, /Unknown channel/],
    ['unknown field', { preferences: [{ type: 'welcome', channel: 'email', enabled: false, extra: 1 }] }, 400, /extra|additional/],
    ['empty list', { preferences: [] }, 400, /preferences/],
    ['muting security notices', { preferences: [{ type: 'security_notice', channel: 'email', enabled: false }] }, 422, /cannot be muted/],
  ]
  for (const [name, payload, status, pattern] of cases) {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/notifications/preferences', headers: auth, payload })
    t.equal(res.statusCode, status, name)
    t.match(res.body, pattern, name)
  }
})

t.test('user.deleted erases the person\'s notifications, preferences and contact', async (t) => {
  const { app, db, token } = await build(t)
  const ada = await person(app)
  const keep = await person(app)
  await app.inject({ method: 'PUT', url: '/api/v1/notifications/preferences', headers: bearer(token(ada.userId)), payload: { preferences: [{ type: 'welcome', channel: 'email', enabled: false }] } })
  await emit(app, 'user.deleted', { userId: ada.userId })
  const count = async (table: 'notifications' | 'preferences' | 'userContacts' | 'deliveries') =>
    (await db.selectFrom(table).select('userId').where('userId', '=', ada.userId).execute()).length
  t.same([await count('notifications'), await count('deliveries'), await count('preferences'), await count('userContacts')], [0, 0, 0, 0])
  t.equal((await db.selectFrom('notifications').select('id').where('userId', '=', keep.userId).execute()).length, 1)
})
