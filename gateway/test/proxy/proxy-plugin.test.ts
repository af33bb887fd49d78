import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { bearer, build, DEAD_URL, startKitStandIn, startStandIn } from '../helper.js'

const ROUTES: Array<[string, string]> = [
  ['/api/v1/auth/logout', 'user'],
  ['/api/v1/users/profile', 'user'],
  ['/api/v1/audit-logs', 'user'],
  ['/api/v1/courses/abc/modules', 'course'],
  ['/api/v1/categories', 'course'],
  ['/api/v1/enrollments', 'enrollment'],
  ['/api/v1/certificates', 'enrollment'],
  ['/api/v1/assessments/a1/attempts', 'assessment'],
  ['/api/v1/notifications?unread=true', 'notification'],
]

t.test('each path prefix reaches its own service with path and query intact (200)', async (t) => {
  const h = await build(t)
  const { token } = await h.login()
  for (const [url, service] of ROUTES) {
    const res = await h.gateway.inject({ method: 'POST', url, headers: bearer(token) })
    t.equal(res.statusCode, 200, url)
    t.match(res.json(), { service, url }, url)
  }
  const jwks = await h.gateway.inject({ url: '/.well-known/jwks.json' })
  t.equal(jwks.statusCode, 200)
  t.equal(jwks.json().keys[0].kid, h.key.kid)
})

t.test('an unknown path is 404 problem+json without reaching any service', async (t) => {
  const h = await build(t)
  const { token } = await h.login()
  const res = await h.gateway.inject({ url: '/api/v1/nothing-here', headers: bearer(token) })
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], /application\/problem\+json/)
})

t.test('a service that is down answers 503 problem+json within milliseconds', async (t) => {
  const h = await build(t, { upstreams: { course: DEAD_URL } })
  const started = performance.now()
  const res = await h.gateway.inject({ url: '/api/v1/courses' })
  const elapsed = performance.now() - started
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], /application\/problem\+json/)
  t.match(res.json(), { status: 503, code: 'GW_ERR_UPSTREAM_UNAVAILABLE', upstream: 'course' })
  t.ok(elapsed < 500, `took ${elapsed.toFixed(0)} ms`)
})

t.test('a service slower than the timeout answers 504 problem+json', async (t) => {
  const slow = await startStandIn(t, 'assessment', (app) => {
    app.get('/api/v1/assessments/slow', async () => {
      await sleep(3_000)
      return { late: true }
    })
  })
  const h = await build(t, { upstreams: { assessment: slow.url }, upstreamTimeoutMs: 300 })
  const { token } = await h.login()
  const res = await h.gateway.inject({ url: '/api/v1/assessments/slow', headers: bearer(token) })
  t.equal(res.statusCode, 504)
  t.match(res.json(), { status: 504, code: 'GW_ERR_UPSTREAM_TIMEOUT', upstream: 'assessment' })
})

t.test('identity headers from outside are stripped; Authorization, trace headers and x-request-id pass (200)', async (t) => {
  const h = await build(t)
  const { token } = await h.login()
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  const res = await h.gateway.inject({
    url: '/api/v1/enrollments',
    headers: {
      ...bearer(token),
      'x-user-id': 'admin-id',
      'x-user-role': 'admin',
      'x-authenticated-userid': 'admin-id',
      'x-forwarded-for': '6.6.6.6',
      traceparent,
      'x-request-id': 'client-chosen-id-1',
    },
  })
  t.equal(res.statusCode, 200)
  const { headers } = res.json()
  t.equal(headers['x-user-id'], undefined)
  t.equal(headers['x-user-role'], undefined)
  t.equal(headers['x-authenticated-userid'], undefined)
  t.equal(headers['x-forwarded-for'], '127.0.0.1', 'the client address as the gateway saw it, not the claimed one')
  t.equal(headers.authorization, `Bearer ${token}`)
  t.equal(headers.traceparent, traceparent)
  t.equal(headers['x-request-id'], 'client-chosen-id-1')
  t.equal(res.headers['x-request-id'], 'client-chosen-id-1')
})

t.test('a request without x-request-id gets one generated and forwarded (200)', async (t) => {
  const h = await build(t)
  const res = await h.gateway.inject({ url: '/api/v1/courses' })
  t.equal(res.statusCode, 200)
  const generated = res.headers['x-request-id']
  t.match(generated, /^[0-9a-f-]{36}$/)
  t.equal(res.json().headers['x-request-id'], generated)
})

t.test('a body over the limit is 413 problem+json, by Content-Length and when chunked', async (t) => {
  const h = await build(t, { bodyLimit: 1024 })
  const { token } = await h.login()
  const big = JSON.stringify({ text: 'x'.repeat(2048) })
  const declared = await h.gateway.inject({ method: 'POST', url: '/api/v1/enrollments', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: big })
  t.equal(declared.statusCode, 413)
  t.match(declared.json(), { status: 413, code: 'GW_ERR_BODY_TOO_LARGE' })

  const { Readable } = await import('node:stream')
  const chunked = await h.gateway.inject({
    method: 'POST',
    url: '/api/v1/enrollments',
    headers: { ...bearer(token), 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    payload: Readable.from([big.slice(0, 800), big.slice(800)]),
  })
  t.equal(chunked.statusCode, 413)
  t.match(chunked.json(), { status: 413, code: 'GW_ERR_BODY_TOO_LARGE' })

  const small = await h.gateway.inject({ method: 'POST', url: '/api/v1/enrollments', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: { courseId: 'c1' } })
  t.equal(small.statusCode, 200)
  t.equal(small.json().body, '{"courseId":"c1"}', 'the body reaches the service byte for byte')
})

t.test('malformed JSON is not parsed by the gateway: the service answers 400 problem+json', async (t) => {
  const course = await startKitStandIn(t)
  const h = await build(t, { upstreams: { course: course.url } })
  const { token } = await h.login({ role: 'instructor' })
  const res = await h.gateway.inject({ method: 'POST', url: '/api/v1/courses', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"title": "Algebra",' })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], /application\/problem\+json/)
  t.match(res.json(), { status: 400, detail: /not valid JSON/ })
  const unknownField = await h.gateway.inject({ method: 'POST', url: '/api/v1/courses', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: { title: 'A', role: 'admin' } })
  t.equal(unknownField.statusCode, 400)
  t.match(unknownField.json(), { errors: [{ path: '/body/role', message: 'is not allowed' }] })
})

t.test('a CORS preflight from an allowed origin is answered by the gateway (204)', async (t) => {
  const h = await build(t, { corsOrigins: ['https://app.lms.dev'] })
  const res = await h.gateway.inject({
    method: 'OPTIONS',
    url: '/api/v1/users/profile',
    headers: { origin: 'https://app.lms.dev', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' },
  })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], 'https://app.lms.dev')
  t.match(res.headers['access-control-allow-methods'], /PUT/)
  const other = await h.gateway.inject({ method: 'OPTIONS', url: '/api/v1/users/profile', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' } })
  t.equal(other.headers['access-control-allow-origin'], undefined)
})

t.test('responses carry security headers, the gateway\'s own errors too (200, 401)', async (t) => {
  const h = await build(t)
  const res = await h.gateway.inject({ url: '/api/v1/courses' })
  t.equal(res.statusCode, 200)
  const refused = await h.gateway.inject({ url: '/api/v1/users/profile' })
  t.equal(refused.statusCode, 401)
  for (const answer of [res, refused]) {
    t.equal(answer.headers['x-content-type-options'], 'nosniff')
    t.ok(answer.headers['strict-transport-security'])
    t.equal(answer.headers['x-frame-options'], 'SAMEORIGIN')
    t.equal(answer.headers['cross-origin-resource-policy'], 'same-site')
    t.match(answer.headers['content-security-policy'], /default-src 'self'/)
  }
})
