import t from 'tap'
import { bearer, build, outboxTypes, register, uniqueEmail } from './helper.js'

t.test('register creates a student, logs in and records user.registered in the outbox (201)', async (t) => {
  const { app, db } = await build(t)
  const email = uniqueEmail('ada')
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: 'correct horse battery', fullName: 'Ada Lovelace' } })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.match(body, { user: { email, fullName: 'Ada Lovelace', role: 'student', version: 1 }, expiresIn: 900 })
  t.type(body.accessToken, 'string')
  t.type(body.refreshToken, 'string')
  t.notOk('passwordHash' in body.user, 'the hash never leaves the service')
  const events = await outboxTypes(db)
  t.same(events.map((e) => e.event_type), ['user.registered'])
  t.match(events[0]!.envelope.data, { userId: body.user.id, role: 'student' })
})

t.test('register rejects bad input with problem+json and writes nothing (400/409)', async (t) => {
  const { app, db } = await build(t)
  const taken = await register(app)
  const cases: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ['self-promotion through role', { email: uniqueEmail(), password: 'correct horse battery', fullName: 'Eve', role: 'admin' }, 400, /role/],
    ['invalid email', { email: 'not-an-email', password: 'correct horse battery', fullName: 'Eve' }, 400, /email/],
    ['password over 72 bytes', { email: uniqueEmail(), password: 'é'.repeat(37), fullName: 'Eve' }, 400, /72 bytes/],
    ['password under the minimum', { email: uniqueEmail(), password: 'short', fullName: 'Eve' }, 400, /at least/],
    ['missing full name', { email: uniqueEmail(), password: 'correct horse battery' }, 400, /fullName/],
    ['duplicate email (case-insensitive)', { email: taken.email.toUpperCase(), password: 'correct horse battery', fullName: 'Eve' }, 409, /already exists/],
  ]
  for (const [name, payload, status, pattern] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload })
    t.equal(res.statusCode, status, name)
    t.match(res.headers['content-type'], /application\/problem\+json/, name)
    t.match(res.body, pattern, name)
  }
  const events = await outboxTypes(db)
  t.equal(events.length, 1, 'only the first registration produced an event')
})

t.test('a burst beyond the hashing queue is refused with 503 and Retry-After, creating nothing; the refused can register later (503/201)', async (t) => {
  const { app, db } = await build(t, { config: { PASSWORD_MAX_WAIT_MS: 0 } })
  const emails = Array.from({ length: 16 }, () => uniqueEmail('burst'))
  const answers = await Promise.all(emails.map((email) => app.inject({
    method: 'POST', url: '/api/v1/auth/register', payload: { email, password: 'correct horse battery', fullName: 'Burst' },
  })))
  const refused = emails.filter((_, i) => answers[i]!.statusCode === 503)
  const created = emails.filter((_, i) => answers[i]!.statusCode === 201)
  t.ok(refused.length > 0, 'some of the burst waited too long and was refused')
  t.ok(created.length > 0, 'work is admitted while a core is free')
  t.equal(refused.length + created.length, emails.length, 'every answer is 201 or 503')
  for (const res of answers.filter((r) => r.statusCode === 503)) {
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.match(res.headers['retry-after'], /^\d+$/)
    t.match(res.json(), { status: 503, code: 'USR_ERR_BUSY' })
  }
  const stored = await db.selectFrom('users').select('email').where('email', 'in', emails).execute()
  t.same(stored.map((u) => u.email).sort(), [...created].sort(), 'only the admitted registrations exist')
  t.equal((await outboxTypes(db)).length, created.length, 'and only they produced user.registered')
  const retry = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: refused[0], password: 'correct horse battery', fullName: 'Burst' } })
  t.equal(retry.statusCode, 201, 'a refused registration succeeds when retried')
})

t.test('login answers the same 401 for an unknown email and a wrong password', async (t) => {
  const { app } = await build(t)
  const user = await register(app)
  const ok = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().user.id, user.user.id)
  const wrong = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: 'wrong password!!' } })
  const unknown = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: uniqueEmail('nobody'), password: 'wrong password!!' } })
  t.equal(wrong.statusCode, 401)
  t.equal(unknown.statusCode, 401)
  const { instance: _a, ...wrongBody } = wrong.json()
  const { instance: _b, ...unknownBody } = unknown.json()
  t.same(wrongBody, unknownBody)
})

t.test('refresh rotates the token; reusing an old one ends the whole session (200, then 401)', async (t) => {
  const { app } = await build(t)
  const user = await register(app)
  const first = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: user.refreshToken } })
  t.equal(first.statusCode, 200)
  const rotated = first.json()
  t.not(rotated.refreshToken, user.refreshToken)
  const profile = await app.inject({ url: '/api/v1/users/profile', headers: bearer(rotated.accessToken) })
  t.equal(profile.statusCode, 200)

  const reuse = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: user.refreshToken } })
  t.equal(reuse.statusCode, 401)
  t.match(reuse.json(), { code: 'USR_ERR_REFRESH_TOKEN_REUSED' })
  const afterReuse = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: rotated.refreshToken } })
  t.equal(afterReuse.statusCode, 401, 'the newest token of the family is dead too')
  const accessAfter = await app.inject({ url: '/api/v1/users/profile', headers: bearer(rotated.accessToken) })
  t.equal(accessAfter.statusCode, 401, 'access tokens of the session stop at once')
  const garbage = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: 'nope' } })
  t.equal(garbage.statusCode, 401)
})

t.test('logout ends the session: its access and refresh tokens stop working (204, then 401)', async (t) => {
  const { app } = await build(t)
  const user = await register(app)
  const other = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(user.accessToken), payload: {} })
  t.equal(res.statusCode, 204)
  t.equal((await app.inject({ url: '/api/v1/users/profile', headers: bearer(user.accessToken) })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: user.refreshToken } })).statusCode, 401)
  t.equal((await app.inject({ url: '/api/v1/users/profile', headers: bearer(other.json().accessToken) })).statusCode, 200, 'another login is untouched')
  const noBody = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(other.json().accessToken) })
  t.equal(noBody.statusCode, 204, 'the body is optional')
})

t.test('JWKS publishes every configured key; tokens signed before a rotation still verify', async (t) => {
  const { newSigningKey } = await import('./helper.js')
  const oldKey = newSigningKey()
  const newKey = newSigningKey()
  const before = await build(t, { keys: [oldKey] })
  const user = await register(before.app)
  const jwks = await before.app.inject({ url: '/.well-known/jwks.json' })
  t.same(jwks.json().keys.map((k: { kid: string }) => k.kid), [oldKey.kid])

  // Same database: the service restarted with the new key first and the old key still published.
  const { buildApp } = await import('../src/app.js')
  const { testConfig } = await import('./helper.js')
  const after = await buildApp({ config: testConfig, db: before.db, redis: before.redis, keys: [newKey, oldKey] })
  t.teardown(() => after.close())
  const keys = (await after.inject({ url: '/.well-known/jwks.json' })).json().keys
  t.same(keys.map((k: { kid: string }) => k.kid), [newKey.kid, oldKey.kid])
  t.notOk(keys.some((k: Record<string, unknown>) => 'd' in k || 'p' in k), 'no private parts')
  t.equal((await after.inject({ url: '/api/v1/users/profile', headers: bearer(user.accessToken) })).statusCode, 200)
  const fresh = await after.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })
  const header = JSON.parse(Buffer.from(fresh.json().accessToken.split('.')[0], 'base64url').toString())
  t.equal(header.kid, newKey.kid, 'new tokens are signed with the first key')
})
