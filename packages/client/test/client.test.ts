import t from 'tap'
import { signTestToken } from '@lms/kit/testing'
import { createLmsClient, LmsProblemError, memoryTokenStorage, sseParser, collect } from '../src/index.js'
import { promote } from '../../../services/user/test/helper.js'
import { buildStack, countingFetch, email, password } from './helper.js'

function claimsOf(jwt: string): { sub: string; role: string; sid: string } {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'))
}

t.test('ten concurrent calls with an expired access token trigger exactly one refresh and all answer 200', async (t) => {
  const { baseUrl, key } = await buildStack(t)
  const signup = createLmsClient({ baseUrl })
  const grant = await signup.auth.register({ email: email('ada'), password, fullName: 'Ada' })
  const claims = claimsOf(grant.accessToken)
  // Same key, same live session, but expired a minute ago (beyond the verifier's clock tolerance).
  const expired = signTestToken(key, { sub: claims.sub, role: claims.role, sid: claims.sid }, { expiresInSeconds: -60 })

  const counter = countingFetch()
  const storage = memoryTokenStorage({ accessToken: expired, refreshToken: grant.refreshToken })
  const client = createLmsClient({ baseUrl, fetch: counter.fetch, tokens: storage })
  const profiles = await Promise.all(Array.from({ length: 10 }, () => client.users.profile()))
  t.equal(profiles.length, 10)
  t.ok(profiles.every((p) => p.id === grant.user.id), 'every call answered with the profile')
  t.equal(counter.count('/api/v1/auth/refresh'), 1, 'one refresh for ten 401s')
  const stored = await storage.get()
  t.not(stored?.accessToken, expired, 'the new access token is stored')
  t.not(stored?.refreshToken, grant.refreshToken, 'the rotated refresh token is stored')
})

t.test('a refresh that fails clears the tokens, reports the expired session and throws the 401', async (t) => {
  const { baseUrl, key } = await buildStack(t)
  const client = createLmsClient({ baseUrl })
  const grant = await client.auth.register({ email: email('bob'), password, fullName: 'Bob' })
  const claims = claimsOf(grant.accessToken)
  await client.auth.refresh() // rotates: grant.refreshToken is now spent
  let expiredCalls = 0
  const storage = memoryTokenStorage({ accessToken: signTestToken(key, { sub: claims.sub, role: claims.role, sid: claims.sid }, { expiresInSeconds: -60 }), refreshToken: 'not-a-refresh-token' })
  const stale = createLmsClient({ baseUrl, tokens: storage, onSessionExpired: () => { expiredCalls++ } })
  const error = await stale.users.profile().catch((e: unknown) => e)
  t.ok(error instanceof LmsProblemError, 'a typed problem')
  t.equal((error as LmsProblemError).status, 401)
  t.equal(expiredCalls, 1, 'the app is told once')
  t.equal(await storage.get(), null, 'tokens are forgotten')
})

t.test('problems are typed: 409 with its code, 400 with field errors', async (t) => {
  const { baseUrl } = await buildStack(t)
  const client = createLmsClient({ baseUrl })
  const address = email('dup')
  await client.auth.register({ email: address, password, fullName: 'Dup' })
  const duplicate = await client.auth.register({ email: address, password, fullName: 'Dup' }).catch((e: unknown) => e)
  t.ok(duplicate instanceof LmsProblemError)
  const conflict = duplicate as LmsProblemError
  t.equal(conflict.status, 409)
  t.match(conflict.code, /^USR_ERR_/, 'the catalogued code')
  t.type(conflict.detail, 'string')

  const invalid = await client.auth.register({ email: 'not-an-email', password, fullName: 'X' }).catch((e: unknown) => e) as LmsProblemError
  t.equal(invalid.status, 400)
  t.ok(invalid.errors.length > 0, 'field errors listed')
  t.match(invalid.errors[0], { path: String, message: String })

  const down = await client.courses.list().catch((e: unknown) => e) as LmsProblemError
  t.ok(down instanceof LmsProblemError, 'an upstream that is down is a typed problem too')
  t.ok(down.status >= 502 && down.status <= 504, `gateway answers ${down.status}`)
})

t.test('the pagination iterator walks every page and stops at the last one', async (t) => {
  const { baseUrl, db } = await buildStack(t)
  const admin = createLmsClient({ baseUrl })
  const adminEmail = email('admin')
  const grant = await admin.auth.register({ email: adminEmail, password, fullName: 'Admin' })
  await promote(db as never, grant.user.id, 'admin')
  await admin.auth.login({ email: adminEmail, password })
  const tag = `pager${process.pid}${Date.now()}`
  const signup = createLmsClient({ baseUrl })
  for (let i = 0; i < 5; i++) await signup.auth.register({ email: `${tag}.${i}@example.test`, password, fullName: `Pager ${i}` })

  const counter = countingFetch()
  const client = createLmsClient({ baseUrl, fetch: counter.fetch, tokens: memoryTokenStorage(await admin.auth.tokens()) })
  const seen: string[] = []
  for await (const user of client.users.iterate({ q: tag, limit: 2 })) seen.push(user.email)
  t.equal(seen.length, 5, 'every match once')
  t.equal(new Set(seen).size, 5, 'no duplicates across pages')
  t.equal(counter.count('/api/v1/users'), 3, 'three pages of two')

  const firstTwo: string[] = []
  for await (const user of client.users.iterate({ q: tag, limit: 2 })) {
    firstTwo.push(user.id)
    if (firstTwo.length === 2) break
  }
  t.equal(counter.count('/api/v1/users'), 4, 'breaking out fetches no further page')
  t.equal((await collect(client.users.iterate({ q: tag, limit: 100 }))).length, 5)
})

t.test('an aborted call rejects with AbortError and sends nothing further', async (t) => {
  const { baseUrl } = await buildStack(t)
  const client = createLmsClient({ baseUrl })
  await client.auth.register({ email: email('abort'), password, fullName: 'Abort' })
  const before = new AbortController()
  before.abort()
  const early = await client.users.profile({ signal: before.signal }).catch((e: unknown) => e) as Error
  t.equal(early.name, 'AbortError', 'a signal aborted beforehand')
  const during = new AbortController()
  const pending = client.users.profile({ signal: during.signal })
  during.abort()
  const late = await pending.catch((e: unknown) => e) as Error
  t.equal(late.name, 'AbortError', 'a signal aborted in flight')
  t.ok((await client.users.profile()).id, 'the client still works afterwards')
})

t.test('the SSE parser joins data lines, keeps ids and honours retry across chunk boundaries', async (t) => {
  const events: Array<{ id?: string; event: string; data: string }> = []
  let retry = 0
  const feed = sseParser((e) => events.push(e), (ms) => { retry = ms })
  feed('retry: 3000\n\n: keep-alive\n\nid: 1\nevent: notif')
  feed('ication\ndata: {"a":\ndata: 1}\n\r\nid: 2\ndata: x\n\n')
  t.equal(retry, 3000)
  t.same(events, [{ id: '1', event: 'notification', data: '{"a":\n1}' }, { id: '2', event: 'message', data: 'x' }])
})

t.test('the notification stream reconnects after the connection ends and resumes with Last-Event-ID', async (t) => {
  // A bare SSE endpoint that ends the first connection after one event; it stands in for the
  // notification service only to cut a live connection at a known point.
  const { createServer } = await import('node:http')
  const seenLastEventIds: Array<string | undefined> = []
  const server = createServer((req, res) => {
    seenLastEventIds.push(req.headers['last-event-id'] as string | undefined)
    t.equal(req.headers.authorization, 'Bearer access-1', 'the bearer token is sent on every connection')
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const n = seenLastEventIds.length
    const event = { id: `0000000${n}`, type: 'welcome', title: `#${n}`, body: '', data: {}, readAt: null, createdAt: new Date().toISOString() }
    res.write(`retry: 20\n\nid: ${event.id}\nevent: notification\ndata: ${JSON.stringify(event)}\n\n`)
    if (n === 1) res.end() // the server closes the first stream after one event
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const port = (server.address() as { port: number }).port

  const client = createLmsClient({ baseUrl: `http://127.0.0.1:${port}`, tokens: memoryTokenStorage({ accessToken: 'access-1', refreshToken: 'r' }) })
  const titles: string[] = []
  let errors = 0
  let opens = 0
  const stop = new AbortController()
  const stream = client.notifications.stream({ onNotification: (n) => titles.push(n.title), onError: () => { errors++ }, onOpen: () => { opens++ }, signal: stop.signal })
  await stream.opened
  for (let i = 0; i < 200 && titles.length < 2; i++) await new Promise((r) => setTimeout(r, 25))
  t.same(titles, ['#1', '#2'], 'the events before and after the reconnect arrive')
  t.same(seenLastEventIds, [undefined, '00000001'], 'the reconnect sent the last id it saw')
  t.equal(opens, 2)
  t.equal(errors, 0, 'a stream the server ended is not an error')
  t.equal(stream.lastEventId, '00000002')
  stop.abort()
  await stream.closed
  t.pass('abort ends the stream')
})
