import type { AddressInfo } from 'node:net'
import t from 'tap'
import { SessionLiveness, createApp } from '@lms/kit'
import { signTestToken, generateSigningKey } from '@lms/kit/testing'
import { promote } from '../services/user/test/helper.js'
import { bearer, buildStack, email } from './helper.js'

const password = 'correct horse battery'

t.test('a learner registers, reads and edits the profile, refreshes and logs out through the gateway', async (t) => {
  const { gateway } = await buildStack(t)
  const address = email('ada')
  const registered = await gateway.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: address, password, fullName: 'Ada' } })
  t.equal(registered.statusCode, 201)
  t.ok(registered.headers['x-request-id'], 'every answer carries a request id')
  const { accessToken, refreshToken, user } = registered.json()
  t.equal(user.role, 'student')

  const profile = await gateway.inject({ url: '/api/v1/users/profile', headers: bearer(accessToken) })
  t.equal(profile.statusCode, 200)
  t.equal(profile.json().email, address)
  const edited = await gateway.inject({ method: 'PUT', url: '/api/v1/users/profile', headers: { ...bearer(accessToken), 'if-match': profile.headers.etag as string }, payload: { fullName: 'Ada L.' } })
  t.equal(edited.statusCode, 200)
  const stale = await gateway.inject({ method: 'PUT', url: '/api/v1/users/profile', headers: { ...bearer(accessToken), 'if-match': profile.headers.etag as string }, payload: { fullName: 'Lost' } })
  t.equal(stale.statusCode, 412)

  const refreshed = await gateway.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } })
  t.equal(refreshed.statusCode, 200)
  const next = refreshed.json()
  const login = await gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: address, password } })
  t.equal(login.statusCode, 200)

  const logout = await gateway.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(next.accessToken), payload: {} })
  t.equal(logout.statusCode, 204)
  const revoked = await gateway.inject({ url: '/api/v1/users/profile', headers: bearer(next.accessToken) })
  t.equal(revoked.statusCode, 401, 'a token of an ended session fails at the gateway at once')
  t.match(revoked.headers['content-type'], /application\/problem\+json/)
  const stillIn = await gateway.inject({ url: '/api/v1/users/profile', headers: bearer(login.json().accessToken) })
  t.equal(stillIn.statusCode, 200, 'the other session is untouched')
})

t.test('a service that remembers live sessions refuses a token as soon as the user service ends its session', async (t) => {
  const { gateway, user, redis } = await buildStack(t)
  // A service as the enrollment and notification services run: tokens verified against the user
  // service's JWKS, live sessions remembered (SessionLiveness) for far longer than this test waits.
  const sessions = new SessionLiveness({ redis, keyPrefix: 'session:', maxAgeMs: 60_000 })
  await sessions.start()
  t.teardown(() => sessions.close())
  const jwksUrl = `http://127.0.0.1:${(user.server.address() as AddressInfo).port}/.well-known/jwks.json`
  const service = await createApp({
    service: 'remembering', logLevel: 'silent',
    auth: { jwks: { url: jwksUrl }, issuer: 'lms-user-service', audience: 'lms', isSessionActive: (sid) => sessions.isActive(sid) },
  })
  service.get('/me', { preHandler: service.authenticate }, async (request) => ({ id: request.user.id }))
  t.teardown(() => service.close())
  const asService = (token: string) => service.inject({ url: '/me', headers: bearer(token) })
  /** The service's answer once the announcement had 2 s to arrive (it crosses a second Redis connection). */
  const settled = async (token: string, status: number) => {
    for (let i = 0; i < 100; i++) {
      if ((await asService(token)).statusCode === status) return status
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return (await asService(token)).statusCode
  }

  const address = email('lin')
  const registered = (await gateway.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: address, password, fullName: 'Lin' } })).json()
  const signIn = async () => (await gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: address, password } })).json().accessToken as string
  const [first, second, third] = [registered.accessToken as string, await signIn(), await signIn()]
  for (const token of [first, second, third]) t.equal((await asService(token)).statusCode, 200, 'a live session passes (and is remembered)')

  t.equal((await gateway.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(first), payload: {} })).statusCode, 204)
  t.equal(await settled(first, 401), 401, 'logout: the service refuses the token')
  t.equal((await asService(second)).statusCode, 200, 'the other sessions stay live')

  const changed = await gateway.inject({ method: 'PUT', url: '/api/v1/users/profile/password', headers: bearer(second), payload: { currentPassword: password, newPassword: `${password} 2` } })
  t.equal(changed.statusCode, 204)
  t.equal(await settled(third, 401), 401, 'a password change ends every other session there too')
  t.equal((await asService(second)).statusCode, 200, 'but not the one that changed it')

  const deleted = await gateway.inject({ method: 'DELETE', url: `/api/v1/users/${registered.user.id}`, headers: bearer(second) })
  t.equal(deleted.statusCode, 204)
  t.equal(await settled(second, 401), 401, 'deleting the account ends its last session there too')
})

t.test('bad input through the gateway is problem+json and creates nothing', async (t) => {
  const { gateway, db } = await buildStack(t)
  const taken = email('taken')
  await gateway.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: taken, password, fullName: 'T' } })
  const cases: Array<[string, Record<string, unknown>, number]> = [
    ['role on register (no self-promotion)', { method: 'POST', url: '/api/v1/auth/register', payload: { email: email('eve'), password, fullName: 'Eve', role: 'admin' } }, 400],
    ['malformed JSON', { method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: '{"email":' }, 400],
    ['wrong content type', { method: 'POST', url: '/api/v1/auth/register', headers: { 'content-type': 'text/plain' }, payload: 'email=x' }, 415],
    ['oversize body', { method: 'POST', url: '/api/v1/auth/register', payload: { email: email('big'), password, fullName: 'x'.repeat(2 * 1024 * 1024) } }, 413],
    ['invalid email', { method: 'POST', url: '/api/v1/auth/register', payload: { email: 'nope', password, fullName: 'N' } }, 400],
    ['password over 72 bytes', { method: 'POST', url: '/api/v1/auth/register', payload: { email: email('long'), password: 'x'.repeat(73), fullName: 'L' } }, 400],
    ['password under the minimum', { method: 'POST', url: '/api/v1/auth/register', payload: { email: email('short'), password: 'short', fullName: 'S' } }, 400],
    ['duplicate email', { method: 'POST', url: '/api/v1/auth/register', payload: { email: taken, password, fullName: 'T' } }, 409],
  ]
  for (const [name, request, status] of cases) {
    const res = await gateway.inject(request as never)
    t.equal(res.statusCode, status, name)
    t.match(res.headers['content-type'], /application\/problem\+json/, name)
    t.match(res.json(), { status, title: String }, name)
  }
  const wrong = await gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: taken, password: 'not the password' } })
  const unknown = await gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: email('ghost'), password: 'not the password' } })
  t.equal(wrong.statusCode, 401)
  t.equal(unknown.statusCode, 401)
  t.equal(wrong.json().detail, unknown.json().detail, 'wrong password and unknown email answer alike')
  const users = await db.selectFrom('users').select('email').execute()
  t.equal(users.length, 1, 'only the first registration created a user')
})

t.test('forged, expired, wrong-audience, alg none and foreign-key tokens are 401; a student on admin routes is 403', async (t) => {
  const { gateway, db } = await buildStack(t)
  const registered = (await gateway.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: email('s'), password, fullName: 'S' } })).json()
  const [head, body] = registered.accessToken.split('.')
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString())
  const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')
  const foreign = generateSigningKey()
  const tokens = {
    tamperedPayload: `${head}.${elevated}.${registered.accessToken.split('.')[2]}`,
    algNone: signTestToken(undefined, { sub: claims.sub, role: 'admin', sid: claims.sid }),
    foreignKey: signTestToken(foreign, { sub: claims.sub, role: 'admin', sid: claims.sid }),
    foreignKeyWithOurKid: signTestToken(foreign, { sub: claims.sub, role: 'admin', sid: claims.sid }, { header: { kid: JSON.parse(Buffer.from(head, 'base64url').toString()).kid } }),
    expired: signTestToken(foreign, { sub: claims.sub, role: 'student', sid: claims.sid }, { expiresInSeconds: -3600 }),
    garbage: 'not.a.token',
  }
  for (const [name, token] of Object.entries(tokens)) {
    const res = await gateway.inject({ url: '/api/v1/users/profile', headers: bearer(token) })
    t.equal(res.statusCode, 401, name)
    t.match(res.headers['content-type'], /application\/problem\+json/, name)
  }
  t.equal((await gateway.inject({ url: '/api/v1/users/profile' })).statusCode, 401, 'no token')
  t.equal((await gateway.inject({ url: '/api/v1/users', headers: bearer(registered.accessToken) })).statusCode, 403)
  t.equal((await gateway.inject({ url: '/api/v1/audit-logs', headers: bearer(registered.accessToken) })).statusCode, 403)

  await promote(db, registered.user.id, 'admin')
  const admin = (await gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: registered.user.email, password } })).json()
  t.equal((await gateway.inject({ url: '/api/v1/audit-logs', headers: bearer(admin.accessToken) })).statusCode, 200)
})

t.test('deleting the account ends its sessions at the gateway (204, then 401)', async (t) => {
  const { gateway } = await buildStack(t)
  const registered = (await gateway.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: email('d'), password, fullName: 'D' } })).json()
  const res = await gateway.inject({ method: 'DELETE', url: `/api/v1/users/${registered.user.id}`, headers: bearer(registered.accessToken) })
  t.equal(res.statusCode, 204)
  t.equal((await gateway.inject({ url: '/api/v1/users/profile', headers: bearer(registered.accessToken) })).statusCode, 401)
})

t.test('repeated failed logins for one account are limited with Retry-After (429)', async (t) => {
  const { gateway } = await buildStack(t, { rateLimit: { max: 600, windowMs: 60_000, authMax: 100, authWindowMs: 60_000, loginFailureMax: 3, loginFailureWindowMs: 60_000 } })
  const address = email('victim')
  await gateway.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: address, password, fullName: 'V' } })
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) {
    const res = await gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: address, password: 'guess ' + i + ' wrong' }, remoteAddress: `10.0.0.${i + 1}` })
    statuses.push(res.statusCode)
    if (res.statusCode === 429) t.ok(res.headers['retry-after'], 'Retry-After is set')
  }
  t.same(statuses.slice(0, 3), [401, 401, 401])
  t.equal(statuses[4], 429, 'rotating IPs does not help the attacker')
  const other = await gateway.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: email('bystander'), password, fullName: 'B' } })
  t.equal(other.statusCode, 201, 'other accounts are unaffected')
})

t.test('an upstream that is not running answers 503 problem+json', async (t) => {
  const { gateway } = await buildStack(t)
  const res = await gateway.inject({ url: '/api/v1/courses' })
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /application\/problem\+json/)
})
