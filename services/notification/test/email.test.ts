import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { escapeHtml, render } from '../src/templates/render.js'
import { renderEmail } from '../src/templates/templates.js'
import { bearer, build, emit, eventually, person, smtpSink } from './helper.js'

t.test('HTML email escapes every variable; text and in-app keep them verbatim', async (t) => {
  t.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  t.equal(render('<b>{{name}}</b>', { name: '<script>' }, { html: true }), '<b>&lt;script&gt;</b>')
  const mail = renderEmail('enrollment_confirmed', { fullName: '<img src=x onerror=alert(1)>', courseTitle: 'A & "B"', link: 'https://x/"><script>' })
  t.notMatch(mail.html, /<img|<script|A & "B"|x\/">/)
  t.match(mail.html, /&lt;img src=x onerror=alert\(1\)&gt;/)
  t.match(mail.html, /A &amp; &quot;B&quot;/)
  t.match(mail.text, /<img src=x onerror=alert\(1\)>/)
})

t.test('the worker sends queued emails over SMTP, security and welcome first, and marks them sent', async (t) => {
  const smtp = await smtpSink(t)
  const { app, db, token } = await build(t, { smtpUrl: smtp.url })
  const ada = await person(app, { fullName: '<b>Ada</b>' })
  await emit(app, 'enrollment.completed', { enrollmentId: uuidv7(), userId: ada.userId, courseId: uuidv7(), completedAt: new Date().toISOString(), courseTitle: 'Algebra' })
  await emit(app, 'user.role_changed', { userId: ada.userId, oldRole: 'student', newRole: 'instructor', changedBy: uuidv7() })
  t.equal(await app.emailWorker.runOnce(), 3)
  t.equal(smtp.received.length, 3)
  t.ok(smtp.received.every((m) => m.to === ada.email))
  const subjects = smtp.received.map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1])
  t.same(subjects.slice(2), ['You completed Algebra'], 'the course email comes after security and welcome')
  t.same(subjects.slice(0, 2).sort(), ['Security notice', 'Welcome to the learning platform'])
  const welcome = smtp.received.find((m) => m.raw.includes('Welcome to the learning platform'))!
  t.match(welcome.raw, /&lt;b&gt;Ada&lt;\/b&gt;/, 'the name is escaped in the HTML part')

  const statuses = await db.selectFrom('deliveries').select(['status', 'attempts']).where('channel', '=', 'email').execute()
  t.ok(statuses.every((s) => s.status === 'sent' && s.attempts === 1))
  const outbox = await db.withoutPlugins().selectFrom('outbox' as never).select('event_type' as never).execute() as Array<{ event_type: string }>
  t.same(outbox.map((r) => r.event_type), ['notification.sent', 'notification.sent', 'notification.sent'])
  const list = (await app.inject({ url: '/api/v1/notifications/me', headers: bearer(token(ada.userId)) })).json()
  const deliveries = (await app.inject({ url: `/api/v1/notifications/${list.items[0].id}/deliveries`, headers: bearer(token(ada.userId)) })).json()
  t.match(deliveries.items.find((d: { channel: string }) => d.channel === 'email'), { status: 'sent', attempts: 1, lastError: null })
})

t.test('the running worker picks up a new email by itself', async (t) => {
  const smtp = await smtpSink(t)
  const { app } = await build(t, { smtpUrl: smtp.url, startEmailWorker: true })
  const ada = await person(app)
  await eventually(() => smtp.received.find((m) => m.to === ada.email))
  t.pass('welcome email received')
})

t.test('SMTP down: the notification is kept, the email is retried with backoff and finally marked failed', async (t) => {
  const { app, db, token } = await build(t, { startEmailWorker: true })
  const ada = await person(app)
  const failed = await eventually(async () => {
    const row = await db.selectFrom('deliveries').selectAll().where('userId', '=', ada.userId).where('channel', '=', 'email').executeTakeFirst()
    return row?.status === 'failed' ? row : undefined
  })
  t.equal(failed.attempts, 3, 'retried up to EMAIL_MAX_ATTEMPTS')
  t.ok(failed.lastError, 'the last error is kept')
  t.equal(failed.nextAttemptAt, null)
  const list = (await app.inject({ url: '/api/v1/notifications/me', headers: bearer(token(ada.userId)) })).json()
  t.equal(list.items.length, 1, 'the in-app notification is still there')
})

t.test('a failed attempt is rescheduled, not lost, and a later attempt can succeed', async (t) => {
  const smtp = await smtpSink(t)
  const down = await build(t)
  const ada = await person(down.app)
  t.equal(await down.app.emailWorker.runOnce(), 1)
  const after = await down.db.selectFrom('deliveries').selectAll().where('channel', '=', 'email').executeTakeFirstOrThrow()
  t.equal(after.status, 'queued')
  t.equal(after.attempts, 1)
  t.ok(after.nextAttemptAt && after.nextAttemptAt.getTime() > Date.now() - 1000)
  // The same schema served by a worker whose SMTP server answers.
  const { createEmailWorker } = await import('../src/email/email-worker.js')
  const nodemailer = (await import('nodemailer')).default
  const worker = createEmailWorker({
    db: down.db, transport: nodemailer.createTransport(smtp.url), from: 'x@lms.test', pollMs: 1000, batchSize: 5, maxAttempts: 3, retryBaseMs: 10,
    logger: { warn() {}, error() {} },
  })
  await eventually(async () => (await worker.runOnce()) > 0 || undefined)
  t.equal(smtp.received.length, 1)
  t.equal(smtp.received[0]!.to, ada.email)
  const sent = await down.db.selectFrom('deliveries').selectAll().where('channel', '=', 'email').executeTakeFirstOrThrow()
  t.match(sent, { status: 'sent', attempts: 2 })
  await worker.stop()
})
