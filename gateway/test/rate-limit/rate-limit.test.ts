import t from 'tap'
import { DEFAULT_RATE_LIMIT } from '../../src/app.js'
import { bearer, build } from '../helper.js'

const limits = (overrides: Partial<typeof DEFAULT_RATE_LIMIT>) => ({ ...DEFAULT_RATE_LIMIT, ...overrides })

t.test('anonymous callers are limited per IP: 429 problem+json with Retry-After past the limit', async (t) => {
  const h = await build(t, { rateLimit: limits({ max: 3, windowMs: 30_000 }) })
  for (let i = 0; i < 3; i++) {
    const res = await h.gateway.inject({ url: '/api/v1/courses' })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['x-ratelimit-remaining'], String(2 - i))
  }
  const limited = await h.gateway.inject({ url: '/api/v1/courses' })
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /application\/problem\+json/)
  t.match(limited.json(), { status: 429, code: 'GW_ERR_RATE_LIMITED' })
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(retryAfter > 0 && retryAfter <= 30, `Retry-After ${retryAfter}`)
  const otherIp = await h.gateway.inject({ url: '/api/v1/courses', remoteAddress: '10.0.0.7' })
  t.equal(otherIp.statusCode, 200, 'another address has its own budget')
})

t.test('authenticated callers are limited per user across IPs and sessions (429), others are not affected', async (t) => {
  const h = await build(t, { rateLimit: limits({ max: 2, windowMs: 30_000 }) })
  const first = await h.login({ sub: 'user-a' })
  const second = await h.login({ sub: 'user-a' })
  const other = await h.login({ sub: 'user-b' })
  t.equal((await h.gateway.inject({ url: '/api/v1/enrollments', headers: bearer(first.token), remoteAddress: '10.0.0.1' })).statusCode, 200)
  t.equal((await h.gateway.inject({ url: '/api/v1/enrollments', headers: bearer(second.token), remoteAddress: '10.0.0.2' })).statusCode, 200)
  const limited = await h.gateway.inject({ url: '/api/v1/enrollments', headers: bearer(first.token), remoteAddress: '10.0.0.3' })
  t.equal(limited.statusCode, 429)
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.equal((await h.gateway.inject({ url: '/api/v1/enrollments', headers: bearer(other.token), remoteAddress: '10.0.0.1' })).statusCode, 200)
})

t.test('two gateway replicas share one budget through Redis (429 on the second)', async (t) => {
  const a = await build(t, { rateLimit: limits({ max: 2, windowMs: 30_000 }) })
  const b = await build(t, { rateLimit: limits({ max: 2, windowMs: 30_000 }), keyPrefix: a.prefix, sessionKeyPrefix: `${a.prefix}session:` })
  t.equal((await a.gateway.inject({ url: '/api/v1/categories' })).statusCode, 200)
  t.equal((await b.gateway.inject({ url: '/api/v1/categories' })).statusCode, 200)
  t.equal((await a.gateway.inject({ url: '/api/v1/categories' })).statusCode, 429)
  t.equal((await b.gateway.inject({ url: '/api/v1/categories' })).statusCode, 429)
})

t.test('login, register and refresh have a stricter per-IP limit (429) while other routes still answer', async (t) => {
  const h = await build(t, { rateLimit: limits({ authMax: 2, authWindowMs: 30_000 }) })
  const post = (url: string) => h.gateway.inject({ method: 'POST', url, payload: { email: `${Math.random()}@x.dev` } })
  t.equal((await post('/api/v1/auth/register')).statusCode, 200)
  t.equal((await post('/api/v1/auth/login')).statusCode, 200)
  const limited = await post('/api/v1/auth/refresh')
  t.equal(limited.statusCode, 429)
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.equal((await h.gateway.inject({ url: '/api/v1/courses' })).statusCode, 200)
})

t.test('X-Forwarded-For is believed only from a trusted proxy', async (t) => {
  const h = await build(t, { rateLimit: limits({ max: 1, windowMs: 30_000 }), trustedProxies: ['10.1.0.0/16'] })
  const viaProxy = (client: string) => h.gateway.inject({ url: '/api/v1/courses', remoteAddress: '10.1.0.5', headers: { 'x-forwarded-for': client } })
  t.equal((await viaProxy('203.0.113.1')).statusCode, 200)
  const forwarded = await viaProxy('203.0.113.2')
  t.equal(forwarded.statusCode, 200, 'each client behind the proxy has its own budget')
  t.equal(forwarded.json().headers['x-forwarded-for'], '203.0.113.2')
  t.equal((await viaProxy('203.0.113.1')).statusCode, 429)

  const direct = (claimed: string) => h.gateway.inject({ url: '/api/v1/courses', remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': claimed } })
  t.equal((await direct('192.0.2.1')).statusCode, 200)
  const spoofed = await direct('192.0.2.2')
  t.equal(spoofed.statusCode, 429, 'an untrusted client cannot mint new addresses')
})

t.test('failed logins are counted per account across IPs: 429 with Retry-After, without calling the user service', async (t) => {
  let calls = 0
  const h = await build(t, {
    rateLimit: limits({ loginFailureMax: 3, loginFailureWindowMs: 60_000 }),
    userRoutes: (app) => {
      app.post('/api/v1/auth/login', async (request, reply) => {
        calls += 1
        const body = JSON.parse(String(request.body)) as { email: string; password: string }
        if (body.password !== 'right-password') return reply.code(401).send({ status: 401, detail: 'Email or password is wrong' })
        return { accessToken: 'a', refreshToken: 'r' }
      })
    },
  })
  const login = (email: string, password: string, ip: string) =>
    h.gateway.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email, password } })

  for (let i = 0; i < 3; i++) t.equal((await login('Owner@Example.com', 'guess', `10.9.0.${i}`)).statusCode, 401)
  const locked = await login('owner@example.com ', 'right-password', '10.9.0.99')
  t.equal(locked.statusCode, 429, 'the normalised address is the same account')
  t.match(locked.json(), { status: 429, code: 'GW_ERR_LOGIN_LOCKED' })
  t.ok(Number(locked.headers['retry-after']) > 0)
  t.equal(calls, 3)

  const keys = await h.redis.keys(`${h.prefix}login-failures:*`)
  t.equal(keys.length, 1)
  t.notMatch(keys[0], /example/i, 'the key holds a hash, not the email')

  t.equal((await login('someone-else@example.com', 'right-password', '10.9.0.1')).statusCode, 200, 'other accounts are unaffected')
  t.equal((await h.gateway.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: 'r' } })).statusCode, 200, 'refresh is not locked')
})

t.test('a successful login clears the account failure count (200)', async (t) => {
  const h = await build(t, {
    rateLimit: limits({ loginFailureMax: 2 }),
    userRoutes: (app) => {
      app.post('/api/v1/auth/login', async (request, reply) => {
        const body = JSON.parse(String(request.body)) as { password: string }
        return body.password === 'ok' ? { accessToken: 'a' } : reply.code(401).send({ status: 401 })
      })
    },
  })
  const login = (password: string) => h.gateway.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@b.dev', password } })
  t.equal((await login('bad')).statusCode, 401)
  t.equal((await login('ok')).statusCode, 200)
  t.equal((await login('bad')).statusCode, 401)
  t.equal((await login('ok')).statusCode, 200, 'the earlier failure was forgotten')
})
