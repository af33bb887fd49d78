import t from 'tap'
import { context, propagation, SpanKind, trace } from '@opentelemetry/api'
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { createEvent } from '../../src/catalog/index.js'
import { startConsumer } from '../../src/bus/consumer.js'
import { createInboxTable, handleOnce } from '../../src/bus/inbox.js'
import { createOutboxTable, enqueue, PgOutboxRelay } from '../../src/bus/outbox-pg.js'
import { EventPublisher } from '../../src/bus/publisher.js'
import { cleanupTopology, env, eventually, randomName, testConnection, testSchema, uuid } from '../helper.js'

interface ZipkinSpan {
  id: string
  parentId?: string
  traceId: string
  name: string
  kind?: string
  localEndpoint?: { serviceName?: string }
}

function provider(serviceName: string) {
  return new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor(new ZipkinExporter({ url: `${env('ZIPKIN_URL')}/api/v2/spans` }))],
  })
}

t.test('one Zipkin trace spans the HTTP request, the relay publish and the consumer handler of another service', async (t) => {
  const userService = provider(randomName('user-svc'))
  const enrollmentService = provider(randomName('enrollment-svc'))
  userService.register()
  t.teardown(async () => {
    await userService.shutdown()
    await enrollmentService.shutdown()
    trace.disable()
    context.disable()
    propagation.disable()
  })
  const exchange = randomName('events_test_x')
  const service = randomName('trace')
  cleanupTopology(t, [service], exchange, 2)
  const { db, listen } = await testSchema(t)
  await createOutboxTable(db)
  await createInboxTable(db)
  const connection = await testConnection(t)
  let handled: { traceId: string } | undefined
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts: 2,
    tracer: enrollmentService.getTracer('@lms/events'),
    handlers: {
      'user.registered': {
        1: (event, ctx) =>
          handleOnce(db, service, event, async () => {
            handled = { traceId: ctx.span.spanContext().traceId }
          }),
      },
    },
  })
  const publisher = new EventPublisher({ connection, service: 'user', exchange, tracer: userService.getTracer('@lms/events') })
  const relay = new PgOutboxRelay({ db, publisher, service: 'user', listen })
  await relay.start()

  const http = userService.getTracer('http').startSpan('POST /api/v1/auth/register', { kind: SpanKind.SERVER })
  const traceId = http.spanContext().traceId
  await context.with(trace.setSpan(context.active(), http), () =>
    db
      .transaction()
      .execute((trx) =>
        enqueue(
          trx,
          createEvent('user.registered', { userId: uuid(), email: 'a@example.com', fullName: 'A', role: 'student' }, { source: 'user' }),
        ),
      ),
  )
  http.end()

  await eventually('the consumer to handle the event', () => handled)
  t.equal(handled?.traceId, traceId, 'the handler runs inside the request trace')
  await userService.forceFlush()
  await enrollmentService.forceFlush()

  const spans = await eventually(
    'the trace in Zipkin',
    async () => {
      const res = await fetch(`${env('ZIPKIN_URL')}/api/v2/trace/${traceId}`)
      if (!res.ok) return undefined
      const body = (await res.json()) as ZipkinSpan[]
      return body.length >= 3 ? body : undefined
    },
    30_000,
    250,
  )
  const byName = (name: string) => spans.find((s) => s.name === name)
  const request = byName('post /api/v1/auth/register')
  const publish = byName('user.registered publish')
  const processSpan = byName('user.registered process')
  t.ok(request && publish && processSpan, `request, publish and process spans are present (got ${spans.map((s) => s.name).join(', ')})`)
  t.equal(publish?.kind, 'PRODUCER')
  t.equal(processSpan?.kind, 'CONSUMER')
  t.equal(publish?.parentId, request?.id, 'the relay publish continues the request span stored with the outbox row')
  t.equal(processSpan?.parentId, publish?.id, 'the consumer span is a child of the producer span')
  t.not(processSpan?.localEndpoint?.serviceName, publish?.localEndpoint?.serviceName, 'producer and consumer report as different services')

  await relay.stop()
  await consumer.stop()
  await publisher.close()
})
