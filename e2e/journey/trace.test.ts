/**
 * Story 5 of issue 9: one enrollment request is one Zipkin trace. The user, enrollment and
 * notification services and the gateway run as child processes started the way `npm start` does
 * (`src/server.ts`: OpenTelemetry first, then the app) by the benchmark harness, with Zipkin on,
 * on a RabbitMQ vhost and PostgreSQL schemas of their own. The trace is found through Zipkin's
 * HTTP API by the gateway's span for this request (its `process.pid` and `url.path` tags, within
 * the test's own time window) and then read whole.
 *
 * The student registers and enrolls with @lms/client; the enrollment carries a client `traceparent`: the whole trace must continue the client's trace id
 * (the gateway drops the client's header upstream and lets its instrumentation inject its own span).
 */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { createLmsClient } from '@lms/client'
import { startStack, waitUntil } from '../../scripts/bench/stack.js'

interface ZipkinSpan {
  traceId: string; id: string; parentId?: string; name?: string; kind?: string
  localEndpoint?: { serviceName?: string }; tags?: Record<string, string>
}

const zipkinUrl = process.env.ZIPKIN_URL
/** pg instrumentation spans (`pg.query:<verb> <db>`); newer semantic conventions name the tag `db.system.name`. */
const isPostgres = (s: ZipkinSpan) => (s.tags?.['db.system.name'] ?? s.tags?.['db.system']) === 'postgresql'

t.test('an enrollment through the gateway is one Zipkin trace: gateway, enrollment with its database spans, and notification consuming enrollment.created', async (t) => {
  if (!zipkinUrl) throw new Error('ZIPKIN_URL is not set (source .lms/infra.env)')
  const stack = await startStack({ services: ['enrollment', 'notification'], zipkin: true })
  t.teardown(() => stack.stop())

  const course = await stack.publishCourse({ lessons: 2 })
  await waitUntil(`course ${course.courseId} did not reach the enrollment read model`, async () =>
    (await fetch(`${stack.gatewayUrl}/api/v1/enrollments/course/${course.courseId}/stats`, { headers: { authorization: stack.admin.authorization } })).status === 200, 30_000)
  // The student acts through @lms/client; its fetch hook adds the trace header a browser's tracing would.
  const startedAt = Date.now()
  const clientTraceId = randomBytes(16).toString('hex')
  let traceparent: string | undefined
  const client = createLmsClient({
    baseUrl: stack.gatewayUrl,
    fetch: (input, init) => fetch(input, traceparent ? { ...init, headers: { ...(init?.headers as Record<string, string>), traceparent } } : init),
  })
  await client.auth.register({ email: `trace.${clientTraceId}@example.test`, password: 'correct horse battery', fullName: 'Trace Student' })
  traceparent = `00-${clientTraceId}-${randomBytes(8).toString('hex')}-01`
  const created = await client.enrollments.create({ courseId: course.courseId })
  traceparent = undefined
  t.equal(created.status, 'active', 'the enrollment is created (201)')

  const search = new URL('/api/v2/traces', zipkinUrl)
  search.search = new URLSearchParams({
    serviceName: 'gateway', spanName: 'post', limit: '5',
    annotationQuery: `process.pid=${stack.pids.gateway} and url.path=/api/v1/enrollments`,
    endTs: String(Date.now() + 60_000), lookback: String(Date.now() + 60_000 - startedAt + 1000),
  }).toString()
  const traceId = await waitUntil('the gateway span of the enrollment request did not reach Zipkin', async () => {
    const found = await (await fetch(search)).json() as ZipkinSpan[][]
    return found.length === 1 ? found[0]![0]!.traceId : undefined
  }, 30_000)
  t.equal(traceId, clientTraceId, 'the trace continues the trace id the client sent')

  const byService = (spans: ZipkinSpan[], service: string) => spans.filter((s) => s.localEndpoint?.serviceName === service)
  const consumed = (spans: ZipkinSpan[]) => byService(spans, 'notification').find((s) => s.name === 'enrollment.created process' && s.kind === 'CONSUMER')
  const read = async () => {
    const r = await fetch(`${zipkinUrl}/api/v2/trace/${traceId}`)
    return r.ok ? await r.json() as ZipkinSpan[] : []
  }
  const summary = (spans: ZipkinSpan[]) => spans.map((s) => `${s.localEndpoint?.serviceName}:${s.kind ?? '-'}:${s.name}`).sort().join('; ')
  // Spans arrive from four processes in batches; wait (bounded) until the notification's consumption
  // and the enrollment's SQL are in, then read what the trace holds (a failure names what it had).
  let spans: ZipkinSpan[] = []
  const complete = await waitUntil('trace complete', async () => {
    spans = await read()
    const enrollment = byService(spans, 'enrollment')
    return consumed(spans) && enrollment.some((s) => isPostgres(s)) && enrollment.some((s) => s.kind === 'PRODUCER') &&
      byService(spans, 'notification').some((s) => isPostgres(s))
  }, 30_000).then(() => true, () => false)
  if (!complete) t.comment(`trace ${traceId} after 30 s: ${summary(spans) || 'no spans'}`)
  const final = spans

  t.ok(final.every((s) => s.traceId === traceId), 'every span carries the trace id of the request')
  const gateway = byService(final, 'gateway')
  t.ok(gateway.some((s) => s.kind === 'SERVER'), 'the gateway answered the request in this trace (server span)')
  t.ok(gateway.some((s) => s.kind === 'CLIENT'), 'the gateway forwarded it upstream in this trace (client span)')
  const enrollment = byService(final, 'enrollment')
  t.ok(enrollment.some((s) => s.kind === 'SERVER'), 'the enrollment service handled the request in this trace (server span)')
  const sql = enrollment.filter((s) => isPostgres(s))
  t.ok(sql.length > 0, `the enrollment service's PostgreSQL queries are spans of this trace (${[...new Set(sql.map((s) => s.name))].join(', ')})`)
  t.ok(sql.some((s) => /^select enroll_in_course\(/.test(s.tags?.['db.query.text'] ?? '')), 'among them the enrollment write (enroll_in_course)')
  t.ok(enrollment.some((s) => s.name === 'enrollment.created publish' && s.kind === 'PRODUCER'), 'the outbox relay published enrollment.created in this trace (producer span)')
  t.ok(consumed(final), 'the notification service consumed enrollment.created in this trace (consumer span)')
  t.ok(byService(final, 'notification').some((s) => isPostgres(s)), "the notification's handler wrote to its database in this trace")
})
