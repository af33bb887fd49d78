import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { createEvent } from '@lms/events'
import { bearer, build, eventually, startTestBus } from './helper.js'

t.test('events published on RabbitMQ reach the handlers: user.registered then enrollment.created notify the student', async (t) => {
  const built = await build(t)
  const { app, db, token } = built
  const bus = await startTestBus(t, built)
  const userId = uuidv7()
  await bus.publisher.publish(createEvent('user.registered', { userId, email: 'bus@example.test', fullName: 'Bus Rider', role: 'student' }, { source: 'user' }))
  await eventually(() => db.selectFrom('userContacts').select('userId').where('userId', '=', userId).executeTakeFirst())
  await bus.publisher.publish(createEvent('enrollment.created', { enrollmentId: uuidv7(), userId, courseId: uuidv7(), courseTitle: 'Bus Routes' }, { source: 'enrollment' }))
  const list = await eventually(async () => {
    const res = (await app.inject({ url: '/api/v1/notifications/me', headers: bearer(token(userId)) })).json()
    return res.items.length === 2 ? res : undefined
  })
  t.same(list.items.map((n: { type: string }) => n.type), ['enrollment_confirmed', 'welcome'])
})
