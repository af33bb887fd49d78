import t from 'tap'
import { CircuitBreaker } from '../../src/proxy/circuit-breaker.js'
import { bearer, build, startStandIn } from '../helper.js'

t.test('the breaker opens after consecutive failures, lets one probe through after the reset time, and closes on its success', async (t) => {
  let now = 0
  const breaker = new CircuitBreaker({ failureThreshold: 3, resetMs: 1_000, now: () => now })
  breaker.onFailure()
  breaker.onFailure()
  breaker.onSuccess()
  breaker.onFailure()
  breaker.onFailure()
  t.equal(breaker.state, 'closed', 'a success in between resets the count')
  breaker.onFailure()
  t.equal(breaker.state, 'open')
  t.notOk(breaker.tryAcquire())
  t.equal(breaker.retryAfterSeconds(), 1)
  now = 1_000
  t.ok(breaker.tryAcquire(), 'the probe')
  t.equal(breaker.state, 'half-open')
  t.notOk(breaker.tryAcquire(), 'only one probe at a time')
  breaker.onFailure()
  t.equal(breaker.state, 'open', 'a failed probe opens it again')
  now = 2_000
  t.ok(breaker.tryAcquire())
  breaker.onSuccess()
  t.equal(breaker.state, 'closed')
  t.ok(breaker.tryAcquire())
})

t.test('a failing service trips its breaker: 503 problem+json with Retry-After without calling it, then recovers (200)', async (t) => {
  let healthy = false
  let calls = 0
  const course = await startStandIn(t, 'course', (app) => {
    app.get('/api/v1/courses', async (_request, reply) => {
      calls += 1
      if (!healthy) return reply.code(503).send({ down: true })
      return { items: [], nextCursor: null }
    })
  })
  const h = await build(t, { upstreams: { course: course.url }, breaker: { failureThreshold: 3, resetMs: 300 } })
  for (let i = 0; i < 3; i++) t.equal((await h.gateway.inject({ url: '/api/v1/courses' })).statusCode, 503)
  t.equal(calls, 3)

  const open = await h.gateway.inject({ url: '/api/v1/courses' })
  t.equal(open.statusCode, 503)
  t.match(open.json(), { code: 'GW_ERR_CIRCUIT_OPEN', upstream: 'course' })
  t.equal(open.headers['retry-after'], '1')
  t.equal(calls, 3, 'an open circuit does not call the service')
  const metrics = await h.gateway.inject({ url: '/metrics' })
  t.match(metrics.body, /gateway_circuit_breaker_state\{upstream="course",service="gateway"\} 2/)

  const others = await h.gateway.inject({ url: '/api/v1/enrollments', headers: bearer((await h.login()).token) })
  t.equal(others.statusCode, 200, 'other services keep their own breakers')

  healthy = true
  await new Promise((resolve) => setTimeout(resolve, 350))
  const probe = await h.gateway.inject({ url: '/api/v1/courses' })
  t.equal(probe.statusCode, 200)
  t.equal((await h.gateway.inject({ url: '/api/v1/courses' })).statusCode, 200, 'closed again')
  t.equal(calls, 5)
})

t.test('a service shedding load (503 with Retry-After) keeps its breaker closed: its answers pass through as they are', async (t) => {
  let calls = 0
  const course = await startStandIn(t, 'course', (app) => {
    app.get('/api/v1/courses', async (_request, reply) => {
      calls += 1
      return reply.code(503).header('retry-after', '2').type('application/problem+json').send({ status: 503, code: 'CRS_ERR_BUSY' })
    })
  })
  const h = await build(t, { upstreams: { course: course.url }, breaker: { failureThreshold: 3, resetMs: 10_000 } })
  for (let i = 0; i < 6; i++) {
    const res = await h.gateway.inject({ url: '/api/v1/courses' })
    t.match(res.json(), { status: 503, code: 'CRS_ERR_BUSY' }, `answer ${i + 1} is the service's own`)
    t.equal(res.headers['retry-after'], '2')
  }
  t.equal(calls, 6, 'every request reached the service')
  const metrics = await h.gateway.inject({ url: '/metrics' })
  t.match(metrics.body, /gateway_circuit_breaker_state\{upstream="course",service="gateway"\} 0/)
})

t.test('refused connections count as failures and open the breaker (503)', async (t) => {
  const h = await build(t, { upstreams: { notification: 'http://127.0.0.1:9' }, breaker: { failureThreshold: 2, resetMs: 10_000 } })
  const { token } = await h.login()
  const first = await h.gateway.inject({ url: '/api/v1/notifications', headers: bearer(token) })
  t.match(first.json(), { status: 503, code: 'GW_ERR_UPSTREAM_UNAVAILABLE' })
  await h.gateway.inject({ url: '/api/v1/notifications', headers: bearer(token) })
  const third = await h.gateway.inject({ url: '/api/v1/notifications', headers: bearer(token) })
  t.match(third.json(), { status: 503, code: 'GW_ERR_CIRCUIT_OPEN' })
  t.ok(Number(third.headers['retry-after']) >= 9)
})
