import { generateSigningKey, signTestToken } from '@lms/kit/testing'
import { createSign, randomUUID } from 'node:crypto'
import t from 'tap'
import { AUDIENCE, bearer, build, ISSUER } from '../helper.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

t.test('protected routes without a token are 401 problem+json and never reach the service', async (t) => {
  const h = await build(t)
  for (const [method, url] of [['GET', '/api/v1/users/profile'], ['POST', '/api/v1/auth/logout'], ['GET', '/api/v1/enrollments'], ['POST', '/api/v1/courses'], ['GET', '/api/v1/courses/c1/modules']] as const) {
    const res = await h.gateway.inject({ method, url })
    t.equal(res.statusCode, 401, `${method} ${url}`)
    t.match(res.headers['content-type'], /application\/problem\+json/)
  }
})

t.test('the public allowlist needs no token (200)', async (t) => {
  const h = await build(t)
  const publicRoutes = [
    ['POST', '/api/v1/auth/register'], ['POST', '/api/v1/auth/login'], ['POST', '/api/v1/auth/refresh'],
    ['GET', '/.well-known/jwks.json'], ['GET', '/api/v1/courses'], ['GET', '/api/v1/courses/search?q=algebra'],
    ['GET', '/api/v1/courses/0190a8e0-0000-7000-8000-000000000000'], ['GET', '/api/v1/courses/c1/versions'],
    ['GET', '/api/v1/courses/c1/versions/3'], ['GET', '/api/v1/categories'], ['GET', '/api/v1/categories/c1'],
    ['GET', '/api/v1/certificates/CERT-1234'], ['GET', '/docs/openapi.json'], ['GET', '/health/live'], ['GET', '/metrics'],
  ] as const
  for (const [method, url] of publicRoutes) {
    const res = await h.gateway.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) })
    t.equal(res.statusCode, 200, `${method} ${url}`)
  }
})

t.test('on a public route an Authorization header is forwarded untouched, even one the gateway would refuse (200)', async (t) => {
  const h = await build(t)
  const { token } = await h.login({ role: 'instructor' })
  const res = await h.gateway.inject({ url: '/api/v1/courses/c1', headers: bearer(token) })
  t.equal(res.statusCode, 200)
  t.equal(res.json().headers.authorization, `Bearer ${token}`)
  const odd = await h.gateway.inject({ url: '/api/v1/courses', headers: { authorization: 'Bearer not-a-jwt' } })
  t.equal(odd.statusCode, 200)
  t.equal(odd.json().headers.authorization, 'Bearer not-a-jwt')
})

t.test('forged, expired, wrong-audience, wrong-issuer, alg none, HS256-with-the-public-key, unknown kid and jku tokens are 401', async (t) => {
  const h = await build(t)
  const sid = randomUUID()
  await h.redis.set(h.sessionKey(sid), 'u1', 'EX', 60)
  const claims = { sub: 'u1', role: 'admin', sid }
  const valid = signTestToken(h.key, claims, { issuer: ISSUER, audience: AUDIENCE })
  const [header, payload] = valid.split('.')
  const publicPem = (await import('node:crypto')).createPublicKey({ key: h.key.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()
  const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: h.key.kid })
  const { createHmac } = await import('node:crypto')
  const hsSigned = `${hsHeader}.${payload}.${createHmac('sha256', publicPem).update(`${hsHeader}.${payload}`).digest('base64url')}`
  const attacker = generateSigningKey()
  const jkuHeader = b64({ alg: 'RS256', typ: 'JWT', kid: attacker.kid, jku: 'http://127.0.0.1:1/attacker-jwks.json', jwk: attacker.publicJwk })
  const jkuSigned = `${jkuHeader}.${payload}.${createSign('RSA-SHA256').update(`${jkuHeader}.${payload}`).sign(attacker.privateKey).toString('base64url')}`
  const cases: Record<string, string> = {
    forged: `${header}.${b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin', sub: 'someone-else' })}.${valid.split('.')[2]}`,
    expired: signTestToken(h.key, claims, { issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: -60 }),
    'wrong audience': signTestToken(h.key, claims, { issuer: ISSUER, audience: 'other-app' }),
    'wrong issuer': signTestToken(h.key, claims, { issuer: 'evil', audience: AUDIENCE }),
    'alg none': signTestToken(undefined, claims, { issuer: ISSUER, audience: AUDIENCE }),
    'HS256 signed with the public key': hsSigned,
    'unknown kid': signTestToken(attacker, claims, { issuer: ISSUER, audience: AUDIENCE }),
    'jku and jwk headers': jkuSigned,
    'no sid': signTestToken(h.key, { sub: 'u1', role: 'admin', sid: undefined }, { issuer: ISSUER, audience: AUDIENCE }),
    garbage: 'not.a.jwt',
  }
  const ok = await h.gateway.inject({ url: '/api/v1/audit-logs', headers: bearer(valid) })
  t.equal(ok.statusCode, 200, 'the unaltered token passes')
  for (const [name, token] of Object.entries(cases)) {
    const res = await h.gateway.inject({ url: '/api/v1/audit-logs', headers: bearer(token) })
    t.equal(res.statusCode, 401, name)
    t.match(res.headers['content-type'], /application\/problem\+json/, name)
  }
})

t.test('a revoked session is 401 at once, even right after the same token was accepted and cached', async (t) => {
  const h = await build(t)
  const { token, sid } = await h.login()
  for (let i = 0; i < 3; i++) t.equal((await h.gateway.inject({ url: '/api/v1/users/profile', headers: bearer(token) })).statusCode, 200)
  await h.redis.del(h.sessionKey(sid))
  const res = await h.gateway.inject({ url: '/api/v1/users/profile', headers: bearer(token) })
  t.equal(res.statusCode, 401)
  t.match(res.json(), { status: 401, code: 'GW_ERR_SESSION_ENDED' })
})

t.test('a token whose session never existed is 401', async (t) => {
  const h = await build(t)
  const token = signTestToken(h.key, { sub: 'u1', role: 'student', sid: randomUUID() }, { issuer: ISSUER, audience: AUDIENCE })
  const res = await h.gateway.inject({ url: '/api/v1/users/profile', headers: bearer(token) })
  t.equal(res.statusCode, 401)
})

t.test('readiness reports Redis and the JWKS (200), and 503 when the JWKS is unreachable', async (t) => {
  const h = await build(t)
  const ready = await h.gateway.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json().checks, { redis: 'ok', jwks: 'ok' })
  const broken = await build(t, { upstreams: { user: 'http://127.0.0.1:9' } })
  const down = await broken.gateway.inject({ url: '/health/ready' })
  t.equal(down.statusCode, 503)
  t.match(down.json().checks, { redis: 'ok', jwks: /^down/ })
})
