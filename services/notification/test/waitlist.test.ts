import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { createEvent, handleOnce } from '@lms/events'
import { createNotifications } from '../src/notifications/service.js'
import { markDue, takeDue } from '../src/waitlist/repository.js'
import { bearer, build, emit, eventually, person, smtpSink, startTestBus } from './helper.js'

type Built = Awaited<ReturnType<typeof build>>

const published = (courseId: string, version = 1) => ({
  courseId, version, title: 'Category Theory', instructorId: uuidv7(), capacity: 1, status: 'published' as const, modules: [], requiredAssessmentIds: [],
})

async function waitFor(app: Built['app'], userId: string, courseId: string, position = 1) {
  const waitlistEntryId = uuidv7()
  await emit(app, 'enrollment.waitlisted', { waitlistEntryId, userId, courseId, position, courseTitle: 'Category Theory' })
  return waitlistEntryId
}

async function typesOf(db: Built['db'], userId: string) {
  const rows = await db.selectFrom('notifications').select('type').where('userId', '=', userId).orderBy('id').execute()
  return rows.map((r) => r.type)
}

async function publishedNotices(db: Built['db']) {
  return db.selectFrom('notifications').select(['userId', 'title', 'body']).where('type', '=', 'waitlist_course_published').execute()
}

t.test('joining the waitlist confirms the place; course.published tells every waiting student, in-app and by email', async (t) => {
  const smtp = await smtpSink(t)
  const { app, token } = await build(t, { smtpUrl: smtp.url })
  const ada = await person(app)
  const courseId = uuidv7()
  await waitFor(app, ada.userId, courseId, 3)
  const auth = bearer(token(ada.userId))
  const joined = (await app.inject({ url: '/api/v1/notifications/me', headers: auth })).json().items[0]
  t.match(joined, { type: 'waitlist_joined', title: 'On the waitlist for Category Theory', body: /You are number 3 on the waitlist/ })

  t.equal(await emit(app, 'course.published', published(courseId)), 'applied')
  const notice = (await app.inject({ url: '/api/v1/notifications/me', headers: auth })).json().items[0]
  t.match(notice, {
    type: 'waitlist_course_published', title: 'Published: Category Theory',
    body: "A course you're waiting for was published: Category Theory.", data: { courseId, link: `https://lms.test/courses/${courseId}` },
  })
  t.equal(await app.emailWorker.runOnce(), 3, 'welcome, waitlist confirmation and the publication notice')
  const subjects = smtp.received.filter((m) => m.to === ada.email).map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1])
  t.ok(subjects.includes("A course you're waiting for was published: Category Theory"), subjects.join(' | '))
})

t.test('a large waitlist is told in batches, each student once; students who left, were promoted or wait elsewhere are not', async (t) => {
  const { app, db } = await build(t)
  const courseId = uuidv7()
  const waiting = await Promise.all(Array.from({ length: 5 }, () => person(app)))
  for (const [i, s] of waiting.entries()) await waitFor(app, s.userId, courseId, i + 1)
  const [left, promoted, elsewhere] = [await person(app), await person(app), await person(app)]
  const leftEntry = await waitFor(app, left.userId, courseId)
  await emit(app, 'enrollment.waitlist_left', { waitlistEntryId: leftEntry, userId: left.userId, courseId, reason: 'left' })
  const promotedEntry = await waitFor(app, promoted.userId, courseId)
  await emit(app, 'enrollment.waitlist_left', { waitlistEntryId: promotedEntry, userId: promoted.userId, courseId, reason: 'promoted', enrollmentId: uuidv7() })
  await waitFor(app, elsewhere.userId, uuidv7())

  await emit(app, 'course.published', published(courseId))
  const notices = await publishedNotices(db)
  t.same(notices.map((n) => n.userId).sort(), waiting.map((s) => s.userId).sort(), 'BULK_BATCH_SIZE is 2: three batches, five students')
})

t.test('a waitlist_left that overtakes its waitlisted: no confirmation and no notice', async (t) => {
  const { app, db } = await build(t)
  const ada = await person(app)
  const courseId = uuidv7()
  const waitlistEntryId = uuidv7()
  await emit(app, 'enrollment.waitlist_left', { waitlistEntryId, userId: ada.userId, courseId, reason: 'left' })
  await emit(app, 'enrollment.waitlisted', { waitlistEntryId, userId: ada.userId, courseId, position: 1 })
  await emit(app, 'course.published', published(courseId))
  t.same(await typesOf(db, ada.userId), ['welcome'])
})

t.test('course.published redelivered, re-sent with a new id or older: one notice per course version; a newer version notifies again', async (t) => {
  const { app, db } = await build(t)
  const ada = await person(app)
  const courseId = uuidv7()
  await waitFor(app, ada.userId, courseId)
  const event = createEvent('course.published', published(courseId, 4), { source: 'course' })
  const handler = app.handlers['course.published'][1]
  t.equal(await handler(event), 'applied')
  t.equal(await handler(event), 'duplicate')
  t.equal(await emit(app, 'course.published', published(courseId, 4)), 'applied', 'same version, another event id')
  await emit(app, 'course.published', published(courseId, 2))
  t.equal((await publishedNotices(db)).length, 1)
  await emit(app, 'course.published', published(courseId, 7))
  t.equal((await publishedNotices(db)).length, 2)
})

t.test('a send cut short after the inbox committed is finished by the redelivery, without repeats', async (t) => {
  const { app, db } = await build(t)
  const courseId = uuidv7()
  const waiting = await Promise.all(Array.from({ length: 5 }, () => person(app)))
  for (const [i, s] of waiting.entries()) await waitFor(app, s.userId, courseId, i + 1)
  const event = createEvent('course.published', published(courseId), { source: 'course' })
  // What the first delivery committed before the process died: the inbox row with the due marks, and one batch.
  await handleOnce(db, 'notification', event, (trx) => markDue(trx, courseId, 1))
  await db.transaction().execute(async (trx) => {
    const userIds = await takeDue(trx, courseId, 1, 2)
    await createNotifications(trx, 'waitlist_course_published', userIds.map((userId) => ({ userId, vars: { courseTitle: 'Category Theory' } })))
  })
  t.equal((await publishedNotices(db)).length, 2)

  t.equal(await app.handlers['course.published'][1](event), 'duplicate')
  const notices = await publishedNotices(db)
  t.same(notices.map((n) => n.userId).sort(), waiting.map((s) => s.userId).sort())
})

t.test('user.deleted erases the person\'s waitlist rows: no notice afterwards', async (t) => {
  const { app, db } = await build(t)
  const ada = await person(app)
  const courseId = uuidv7()
  await waitFor(app, ada.userId, courseId)
  const otherCourseId = uuidv7()
  const leftEntry = await waitFor(app, ada.userId, otherCourseId)
  await emit(app, 'enrollment.waitlist_left', { waitlistEntryId: leftEntry, userId: ada.userId, courseId: otherCourseId, reason: 'left' })
  await emit(app, 'user.deleted', { userId: ada.userId })
  t.same(await db.selectFrom('waitlistEntries').select('entryId').where('userId', '=', ada.userId).execute(), [])
  await emit(app, 'course.published', published(courseId))
  t.same(await publishedNotices(db), [])
})

t.test('waitlist events and course.published travel over RabbitMQ to the handlers', async (t) => {
  const built = await build(t)
  const bus = await startTestBus(t, built)
  const ada = await person(built.app)
  const courseId = uuidv7()
  await bus.publisher.publish(createEvent('enrollment.waitlisted', { waitlistEntryId: uuidv7(), userId: ada.userId, courseId, position: 1 }, { source: 'enrollment' }))
  await eventually(() => built.db.selectFrom('waitlistEntries').select('entryId').where('userId', '=', ada.userId).executeTakeFirst())
  await bus.publisher.publish(createEvent('course.published', published(courseId), { source: 'course' }))
  await eventually(async () => (await publishedNotices(built.db)).length === 1)
  t.same(await typesOf(built.db, ada.userId), ['welcome', 'waitlist_joined', 'waitlist_course_published'])
})
