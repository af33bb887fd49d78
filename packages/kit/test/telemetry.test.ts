import t from 'tap'
import { randomBytes } from 'node:crypto'
import { startTelemetry } from '../src/telemetry/start-telemetry.js'

// Only the telemetry module is loaded before the SDK starts; everything it instruments comes after.
const zipkinUrl = process.env.ZIPKIN_URL
const service = `kit-telemetry-${randomBytes(4).toString('hex')}`

t.test('HTTP spans reach Zipkin without the tokens of query strings', async (t) => {
  if (!zipkinUrl) throw new Error('ZIPKIN_URL is not set: run `npm test` or source .lms/infra.env')
  const telemetry = startTelemetry({ service, zipkinUrl })
  const { default: Fastify } = await import('fastify')
  const app = Fastify()
  app.get('/stream', async () => ({ ok: true }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const secret = `secret${randomBytes(8).toString('hex')}`
  const res = await fetch(`http://127.0.0.1:${port}/stream?access_token=${secret}&x=1`)
  t.equal(res.status, 200)
  await app.close()
  await telemetry.shutdown()

  let traces: unknown[] = []
  for (let i = 0; i < 50 && traces.length === 0; i++) {
    const found = await fetch(`${zipkinUrl}/api/v2/traces?serviceName=${service}&limit=10`)
    traces = found.ok ? ((await found.json()) as unknown[]) : []
    if (traces.length === 0) await new Promise((r) => setTimeout(r, 200))
  }
  t.ok(traces.length > 0, 'the request was traced')
  const json = JSON.stringify(traces)
  t.match(json, /\/stream/, 'the path is recorded')
  t.notMatch(json, secret, 'the token is not')
})
