import { get } from 'node:http'
import t, { type Test } from 'tap'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { uuidv7 } from 'uuidv7'
import WebSocket from 'ws'
import { createRedis } from '@lms/kit'
import { sql } from 'kysely'
import { createNotifications } from '../src/notifications/service.js'
import { RealtimeHub } from '../src/realtime/hub.js'
import type { NotificationRow } from '../src/notifications/table.js'
import { build, emit, eventually, person } from './helper.js'

async function listening(t: Test) {
  const built = await build(t)
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = built.app.server.address() as { port: number }
  return { ...built, base: `http://127.0.0.1:${port}` }
}

async function openStream(t: Test, url: string, headers: Record<string, string> = {}) {
  const ac = new AbortController()
  const res = await fetch(url, { headers, signal: ac.signal })
  const events: EventSourceMessage[] = []
  if (res.status === 200 && res.body) {
    const parser = createParser({ onEvent: (e) => events.push(e) })
    const decoder = new TextDecoder()
    void (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }))
      } catch { /* aborted */ }
    })()
  }
  t.teardown(() => ac.abort())
  return { res, events, close: () => ac.abort() }
}

/** A second replica's publisher: its own Redis connection, nothing shared with the app. */
function otherReplica(t: Test, redisUrl: string) {
  const redis = createRedis(redisUrl, 'notification-test-replica')
  const hub = new RealtimeHub(redis)
  t.teardown(async () => {
    await hub.close()
    redis.disconnect()
  })
  return hub
}

function fakeRow(userId: string, body = 'hello'): NotificationRow {
  return { id: uuidv7(), userId, type: 'announcement', title: 'T', body, data: {}, inApp: true, readAt: null, createdAt: new Date() }
}

t.test('an SSE stream receives the caller\'s new notifications with their ids (200)', async (t) => {
  const { app, base, token } = await listening(t)
  const ada = await person(app)
  const stream = await openStream(t, `${base}/api/v1/notifications/stream`, { authorization: `Bearer ${token(ada.userId)}` })
  t.equal(stream.res.status, 200)
  t.match(stream.res.headers.get('content-type'), /text\/event-stream/)
  await emit(app, 'enrollment.created', { enrollmentId: uuidv7(), userId: ada.userId, courseId: uuidv7(), courseTitle: 'Algebra' })
  const event = await eventually(() => stream.events.find((e) => e.event === 'notification'))
  const data = JSON.parse(event.data)
  t.match(data, { type: 'enrollment_confirmed', title: 'Enrolled in Algebra', readAt: null })
  t.equal(event.id, data.id)
})

t.test('the stream accepts ?access_token= and refuses expired, missing or forged tokens (200/401)', async (t) => {
  const { app, base, token, key } = await listening(t)
  const ada = await person(app)
  const viaQuery = await openStream(t, `${base}/api/v1/notifications/stream?access_token=${token(ada.userId)}`)
  t.equal(viaQuery.res.status, 200)
  const expired = token(ada.userId, 'student', -60)
  const cases: Array<[string, string, Record<string, string>]> = [
    ['expired token in the header', '', { authorization: `Bearer ${expired}` }],
    ['expired token in the query', `?access_token=${expired}`, {}],
    ['no token', '', {}],
    ['forged token', `?access_token=${token(ada.userId).slice(0, -4)}AAAA`, {}],
  ]
  for (const [name, query, headers] of cases) {
    const res = await openStream(t, `${base}/api/v1/notifications/stream${query}`, headers)
    t.equal(res.res.status, 401, name)
    t.match(res.res.headers.get('content-type'), /problem\+json/, name)
    if (name.startsWith('expired')) t.match(await res.res.text(), /expired/, name)
  }
  t.equal(key.kid.length > 0, true)
})

t.test('Last-Event-ID replays what was missed, then continues live', async (t) => {
  const { app, base, token } = await listening(t)
  const ada = await person(app)
  const welcome = (await app.inject({ url: '/api/v1/notifications/me', headers: { authorization: `Bearer ${token(ada.userId)}` } })).json().items[0]
  const courseId = uuidv7()
  await emit(app, 'enrollment.progressed', { enrollmentId: uuidv7(), userId: ada.userId, courseId, progressPercentage: 25, milestone: 25 })
  await emit(app, 'enrollment.progressed', { enrollmentId: uuidv7(), userId: ada.userId, courseId, progressPercentage: 50, milestone: 50 })
  const stream = await openStream(t, `${base}/api/v1/notifications/stream`, { authorization: `Bearer ${token(ada.userId)}`, 'last-event-id': welcome.id })
  await eventually(() => stream.events.length >= 2)
  t.same(stream.events.map((e) => JSON.parse(e.data).title), ['25% of your course', '50% of your course'])
  await emit(app, 'enrollment.progressed', { enrollmentId: uuidv7(), userId: ada.userId, courseId, progressPercentage: 75, milestone: 75 })
  await eventually(() => stream.events.length >= 3)
  t.equal(JSON.parse(stream.events[2]!.data).title, '75% of your course')
  t.equal(stream.events.length, 3, 'nothing twice')
})

t.test('a notification published by another replica reaches a stream held by this one', async (t) => {
  const { app, base, token, env } = await listening(t)
  const ada = await person(app)
  const stream = await openStream(t, `${base}/api/v1/notifications/stream`, { authorization: `Bearer ${token(ada.userId)}` })
  const row = fakeRow(ada.userId, 'from replica B')
  await otherReplica(t, env.redisUrl).publish([row])
  const event = await eventually(() => stream.events.find((e) => e.id === row.id))
  t.equal(JSON.parse(event.data).body, 'from replica B')
})

t.test('a notification arriving after a newer one (another replica committed later) still reaches the stream', async (t) => {
  const { app, base, token, env } = await listening(t)
  const ada = await person(app)
  const stream = await openStream(t, `${base}/api/v1/notifications/stream`, { authorization: `Bearer ${token(ada.userId)}` })
  const older = fakeRow(ada.userId, 'taken first, committed second')
  const newer = fakeRow(ada.userId, 'taken second, committed first')
  const replica = otherReplica(t, env.redisUrl)
  await replica.publish([newer])
  await replica.publish([older])
  await eventually(() => stream.events.length >= 2)
  t.same(stream.events.map((e) => e.id), [newer.id, older.id], 'both delivered, in the order they were published')
})

t.test('a notification whose transaction commits late is replayed to a stream resumed from the newest id seen meanwhile', async (t) => {
  const { app, db, base, token } = await listening(t)
  const ada = await person(app)
  const auth = { authorization: `Bearer ${token(ada.userId)}` }
  const announce = (message: string) => [{ userId: ada.userId, vars: { title: 'News', message } }]
  // Transaction A takes its notification id first and stays open.
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  let created!: () => void
  const aCreated = new Promise<void>((resolve) => { created = resolve })
  const a = db.transaction().execute(async (trx) => {
    await createNotifications(trx, 'announcement', announce('A'))
    created()
    await held
  })
  await aCreated
  // Transaction B starts later: it either commits first (the bug) or waits for A's lock on ada's stream.
  let bDone = false
  const b = db.transaction().execute((trx) => createNotifications(trx, 'announcement', announce('B'))).then(() => { bDone = true })
  await eventually(async () => bDone || Number((await sql<{ n: string }>`select count(*) as n from pg_stat_activity
    where wait_event_type = 'Lock' and query like '%notification_streams%'`.execute(db)).rows[0]!.n) > 0)
  const seen = (await app.inject({ url: '/api/v1/notifications/me', headers: auth })).json().items as Array<{ id: string }>
  release()
  await Promise.all([a, b])
  const all = (await app.inject({ url: '/api/v1/notifications/me', headers: auth })).json().items as Array<{ id: string; body: string }>
  const unseen = all.filter((n) => !seen.some((s) => s.id === n.id)).map((n) => n.body).sort()
  t.same(unseen, ['A', 'B'], 'neither announcement was visible while A was open')
  const stream = await openStream(t, `${base}/api/v1/notifications/stream`, { ...auth, 'last-event-id': seen[0]!.id })
  await eventually(() => stream.events.length >= 2)
  t.same(stream.events.map((e) => JSON.parse(e.data).body).sort(), ['A', 'B'], 'the resumed stream replays both')
})

t.test('a slow stream client is dropped at the buffer bound; another client of the same person is unaffected', async (t) => {
  const { app, base, token, env } = await listening(t)
  const ada = await person(app)
  const auth = `Bearer ${token(ada.userId)}`
  const fast = await openStream(t, `${base}/api/v1/notifications/stream`, { authorization: auth })
  let slowClosed = false
  let slowResponse: import('node:http').IncomingMessage | undefined
  await new Promise<void>((resolve) => {
    const req = get(`${base}/api/v1/notifications/stream`, { headers: { authorization: auth } }, (res) => {
      res.pause()
      slowResponse = res
      res.on('close', () => { slowClosed = true })
      res.on('error', () => {})
      resolve()
    })
    t.teardown(() => req.destroy())
  })
  t.equal(app.hub.connections(), 2)
  const replica = otherReplica(t, env.redisUrl)
  const big = 'x'.repeat(48 * 1024)
  const sent: string[] = []
  for (let round = 0; round < 200 && app.hub.connections() === 2; round++) {
    const rows = Array.from({ length: 5 }, () => fakeRow(ada.userId, big))
    sent.push(...rows.map((r) => r.id))
    await replica.publish(rows)
    await eventually(() => fast.events.length >= sent.length)
  }
  t.equal(app.hub.connections(), 1, 'the slow client was dropped')
  slowResponse!.resume()
  await eventually(() => slowClosed)
  const marker = fakeRow(ada.userId, 'after the drop')
  await replica.publish([marker])
  await eventually(() => fast.events.find((e) => e.id === marker.id))
  t.same(fast.events.map((e) => e.id), [...sent, marker.id], 'the fast client got everything, in order')
  const metrics = await app.metrics.getSingleMetricAsString('lms_notification_stream_dropped_total')
  t.match(metrics, /reason="slow_client"[^}]*} 1/)
})

t.test('the WebSocket endpoint authenticates like the stream and pushes notifications (101/401)', async (t) => {
  const { app, base, token } = await listening(t)
  const ada = await person(app)
  const wsBase = base.replace('http', 'ws')
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${wsBase}/api/v1/notifications/ws?access_token=${token(ada.userId, 'student', -60)}`)
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate() })
    ws.on('open', () => { resolve(101); ws.close() })
    ws.on('error', () => {})
  })
  t.equal(refused, 401, 'expired token')
  const messages: Array<{ type: string; notification?: { type: string; title: string } }> = []
  const ws = new WebSocket(`${wsBase}/api/v1/notifications/ws`, { headers: { authorization: `Bearer ${token(ada.userId)}` } })
  t.teardown(() => ws.terminate())
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())))
  await eventually(() => messages.find((m) => m.type === 'ready'))
  await emit(app, 'certificate.issued', { certificateId: uuidv7(), enrollmentId: uuidv7(), userId: ada.userId, courseId: uuidv7(), verificationCode: 'V-1', courseTitle: 'Algebra' })
  const pushed = await eventually(() => messages.find((m) => m.type === 'notification'))
  t.match(pushed.notification, { type: 'certificate_issued', title: 'Certificate for Algebra' })
})
