import t, { type Test } from 'tap'
import Type from 'typebox'
import { createApp, loadConfig, ConfigError, BaseConfig, defineErrors } from '../src/index.js'
import { generateSigningKey, signTestToken } from '../src/testing/index.js'

const key = generateSigningKey()
const other = generateSigningKey()
const errors = defineErrors({ TST_ERR_TAKEN: { status: 409, message: 'Already taken' } })

async function build(t: Test, isSessionActive = async (_sid: string) => true) {
  const app = await createApp({
    service: 'kit-test',
    logLevel: 'silent',
    auth: { jwks: { keys: { keys: [key.publicJwk] } }, issuer: 'lms-user-service', audience: 'lms', isSessionActive },
  })
  app.post('/things', { schema: { body: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }) } },
    async (request) => ({ name: request.body.name }))
  app.get('/me', { preHandler: app.authenticate }, async (request) => request.user)
  app.get('/admin', { preHandler: app.requireRole('admin') }, async () => ({ ok: true }))
  app.get('/taken', async () => { throw errors.TST_ERR_TAKEN() })
  app.get('/boom', async () => { throw new Error('select * from secret_table') })
  t.teardown(() => app.close())
  return app
}


t.test('a valid token reaches the route with request.user (200)', async (t) => {
  const app = await build(t)
  const token = signTestToken(key, { sub: 'u1', role: 'student' })
  const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { id: 'u1', role: 'student' })
})

t.test('forged, expired, wrong-audience, alg none and unknown-key tokens are 401 problem+json', async (t) => {
  const app = await build(t)
  const valid = signTestToken(key, { sub: 'u1', role: 'student' })
  const forged = valid.slice(0, -4) + (valid.endsWith('AAAA') ? 'BBBB' : 'AAAA')
  const cases = {
    missing: undefined,
    forged,
    expired: signTestToken(key, { sub: 'u1', role: 'student' }, { expiresInSeconds: -60 }),
    wrongAudience: signTestToken(key, { sub: 'u1', role: 'student' }, { audience: 'other' }),
    wrongIssuer: signTestToken(key, { sub: 'u1', role: 'student' }, { issuer: 'evil' }),
    algNone: signTestToken(undefined, { sub: 'u1', role: 'admin' }),
    unknownKey: signTestToken(other, { sub: 'u1', role: 'admin' }),
    jkuHeader: signTestToken(other, { sub: 'u1', role: 'admin' }, { header: { kid: key.kid, jku: 'http://evil/jwks' } }),
  }
  for (const [name, token] of Object.entries(cases)) {
    const res = await app.inject({ url: '/me', headers: token ? { authorization: `Bearer ${token}` } : {} })
    t.equal(res.statusCode, 401, name)
    t.match(res.headers['content-type'], /application\/problem\+json/, name)
    t.match(res.json(), { status: 401, title: 'Unauthorized', instance: '/me' }, name)
  }
})

t.test('a token of an ended session is 401 even though its signature verifies', async (t) => {
  const app = await build(t, async () => false)
  const token = signTestToken(key, { sub: 'u1', role: 'student' })
  const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })
  t.equal(res.statusCode, 401)
  t.match(res.json().detail, /session/)
})

t.test('a verified token is remembered, yet its session is asked on every request (200, then 401)', async (t) => {
  let live = true
  const asked: string[] = []
  const app = await build(t, async (sid) => { asked.push(sid); return live })
  const token = signTestToken(key, { sub: 'u1', role: 'student', sid: 's1' })
  for (let i = 0; i < 2; i++) t.equal((await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  live = false
  const ended = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })
  t.equal(ended.statusCode, 401)
  t.same(asked, ['s1', 's1', 's1'])
  const forged = `${token.slice(0, -10)}${token.at(-10) === 'A' ? 'B' : 'A'}${token.slice(-9)}`
  const tampered = await app.inject({ url: '/me', headers: { authorization: `Bearer ${forged}` } })
  t.equal(tampered.statusCode, 401, 'only the exact header that verified is remembered')
})

t.test('a student on an admin route is 403', async (t) => {
  const app = await build(t)
  const token = signTestToken(key, { sub: 'u1', role: 'student' })
  const res = await app.inject({ url: '/admin', headers: { authorization: `Bearer ${token}` } })
  t.equal(res.statusCode, 403)
})

t.test('bad bodies are 400/413/415 problem+json naming the field', async (t) => {
  const app = await build(t)
  const unknown = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a', role: 'admin' } })
  t.equal(unknown.statusCode, 400)
  t.same(unknown.json().errors, [{ path: '/body/role', message: 'is not allowed' }])
  const malformed = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"name":' })
  t.equal(malformed.statusCode, 400)
  const wrongType = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'text/plain' }, payload: 'x' })
  t.equal(wrongType.statusCode, 415)
  const large = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x'.repeat(2 * 1024 * 1024) } })
  t.equal(large.statusCode, 413)
  for (const res of [unknown, malformed, wrongType, large]) t.match(res.headers['content-type'], /application\/problem\+json/)
})

t.test('catalogued errors keep their status and code; unexpected ones hide their detail (500)', async (t) => {
  const app = await build(t)
  const taken = await app.inject({ url: '/taken' })
  t.equal(taken.statusCode, 409)
  t.match(taken.json(), { code: 'TST_ERR_TAKEN', detail: 'Already taken' })
  const boom = await app.inject({ url: '/boom' })
  t.equal(boom.statusCode, 500)
  t.notMatch(boom.body, /secret_table/)
})

t.test('health, metrics and request ids are served', async (t) => {
  const app = await build(t)
  const live = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'abc-123' } })
  t.equal(live.statusCode, 200)
  t.equal(live.headers['x-request-id'], 'abc-123')
  app.addReadinessCheck('broken', async () => { throw new Error('nope') })
  const ready = await app.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.match(ready.json(), { checks: { broken: /down/ } })
  await app.inject({ url: '/taken' })
  const metrics = await app.inject({ url: '/metrics' })
  t.match(metrics.body, /http_request_duration_seconds_count\{service="kit-test",method="GET",route="\/taken",status_code="409"\} 1/)
})

t.test('config validation names every bad variable', async (t) => {
  const Schema = Type.Object({ ...BaseConfig.properties, PORT: Type.Integer({ minimum: 1 }), DATABASE_URL: Type.String() })
  const error = (() => { try { loadConfig(Schema, { PORT: 'abc' }) } catch (e) { return e } })()
  t.ok(error instanceof ConfigError)
  t.match((error as Error).message, /PORT/)
  t.match((error as Error).message, /DATABASE_URL/)
  const ok = loadConfig(Schema, { PORT: '8081', DATABASE_URL: 'postgres://x' })
  t.equal(ok.PORT, 8081)
  t.equal(ok.LOG_LEVEL, 'info')
})

t.test('config names each missing variable on its own', async (t) => {
  const Schema = Type.Object({ A_URL: Type.String(), B_URL: Type.String() })
  const error = (() => { try { loadConfig(Schema, {}) } catch (e) { return e } })() as ConfigError
  t.same(error.problems, [{ variable: 'A_URL', message: 'is required' }, { variable: 'B_URL', message: 'is required' }])
})
