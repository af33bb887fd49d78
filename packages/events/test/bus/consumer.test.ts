import t from 'tap'
import { Registry } from 'prom-client'
import { sql } from 'kysely'
import { createEvent } from '../../src/catalog/index.js'
import { startConsumer } from '../../src/bus/consumer.js'
import { listDeadLetters, republishDeadLetters } from '../../src/bus/dead-letters.js'
import { createInboxTable, handleOnce } from '../../src/bus/inbox.js'
import { createEventMetrics } from '../../src/bus/metrics.js'
import { EventPublisher } from '../../src/bus/publisher.js'
import { cleanupTopology, eventually, randomName, testConnection, testSchema, uuid } from '../helper.js'

const exchange = randomName('events_test_x')
const maxAttempts = 3
const backoff = { initialMs: 50, factor: 2, maxMs: 200 }

t.test('poison messages end in the DLQ with their reason while good messages keep flowing', async (t) => {
  const service = randomName('poison')
  cleanupTopology(t, [service], exchange, maxAttempts)
  const connection = await testConnection(t)
  const registry = new Registry()
  const metrics = createEventMetrics(registry)
  const handled: string[] = []
  let failingCalls = 0
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts,
    backoff,
    prefetch: 4,
    metrics,
    handlers: {
      'user.deleted': { 1: (e) => void handled.push(e.data.userId) },
      'course.archived': {
        1: () => {
          failingCalls++
          throw new Error('always fails')
        },
      },
    },
  })
  const publisher = new EventPublisher({ connection, service: 'test', exchange })
  const conn = await connection.waitForConnection(5000)
  const raw = await conn.createConfirmChannel()
  const send = (body: string, key: string, id: string) =>
    new Promise<void>((res, rej) =>
      raw.publish(exchange, key, Buffer.from(body), { messageId: id, persistent: true }, (e) => (e ? rej(e) : res())),
    )

  const good = Array.from({ length: 20 }, () => uuid())
  const badJson = uuid()
  const unknownVersion = uuid()
  const schemaViolation = uuid()
  await send('{not json', 'user.deleted', badJson)
  await send(
    JSON.stringify({ ...createEvent('user.deleted', { userId: uuid() }, { source: 'test', id: unknownVersion }), version: 9 }),
    'user.deleted',
    unknownVersion,
  )
  await send(
    JSON.stringify({ ...createEvent('user.deleted', { userId: uuid() }, { source: 'test', id: schemaViolation }), data: { userId: 42 } }),
    'user.deleted',
    schemaViolation,
  )
  const failing = createEvent('course.archived', { courseId: uuid() }, { source: 'test' })
  await publisher.publish(failing)
  for (const userId of good) await publisher.publish(createEvent('user.deleted', { userId }, { source: 'test' }))

  await eventually('good messages handled', () => handled.length === good.length)
  t.same(handled.sort(), [...good].sort(), 'every good message was handled once')
  const letters = await eventually('4 dead letters', async () => {
    const l = await listDeadLetters({ connection, service })
    return l.length === 4 ? l : undefined
  })
  const byId = Object.fromEntries(letters.map((l) => [l.messageId, l]))
  t.equal(byId[badJson]?.reason, 'invalid_json')
  t.equal(byId[unknownVersion]?.reason, 'unknown_version')
  t.equal(byId[schemaViolation]?.reason, 'schema_violation')
  t.match(byId[schemaViolation]?.detail, /\/data\/userId/, 'the detail names the failing path')
  t.equal(byId[failing.id]?.reason, 'handler_failed')
  t.equal(byId[failing.id]?.attempts, maxAttempts, 'the failing handler ran maxAttempts times before dead-lettering')
  t.equal(failingCalls, maxAttempts)
  t.equal(byId[failing.id]?.routingKey, 'course.archived', 'the original routing key is kept')

  const deadLettered = await registry.getSingleMetric('lms_events_dead_lettered_total')!.get()
  const byReason = Object.fromEntries(deadLettered.values.map((v) => [v.labels.reason, v.value]))
  t.same(byReason, { invalid_json: 1, unknown_version: 1, schema_violation: 1, handler_failed: 1 }, 'dead letters are counted by reason')
  const retried = await registry.getSingleMetric('lms_events_retried_total')!.get()
  t.equal(retried.values[0]?.value, maxAttempts - 1, 'each retry is counted')

  const moved = await republishDeadLetters({ connection, service, ids: [failing.id], exchange })
  t.same(moved, [failing.id], 'republishing moves only the chosen message')
  await eventually('republished message retried again', () => failingCalls === 2 * maxAttempts)
  await eventually('it is back in the DLQ', async () => (await listDeadLetters({ connection, service })).length === 4)
  await raw.close()
  await publisher.close()
  await consumer.stop()
})

t.test('a redelivered event and a consumer killed between commit and ack apply one effect', async (t) => {
  const service = randomName('once')
  cleanupTopology(t, [service], exchange, maxAttempts)
  const { db } = await testSchema(t)
  await createInboxTable(db)
  await sql`create table effects (event_id uuid not null)`.execute(db)
  const connection = await testConnection(t)
  let deliveries = 0
  let killed = false
  const outcomes: string[] = []
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts,
    backoff,
    handlers: {
      'user.deleted': {
        1: async (event, ctx) => {
          deliveries++
          const outcome = await handleOnce(db, service, event, (trx) => sql`insert into effects values (${event.id})`.execute(trx))
          outcomes.push(outcome)
          if (!killed) {
            killed = true
            await ctx.channel.close()
          }
          return outcome
        },
      },
    },
  })
  const publisher = new EventPublisher({ connection, service: 'test', exchange })
  const event = createEvent('user.deleted', { userId: uuid() }, { source: 'test' })
  await publisher.publish(event)
  await eventually('redelivery after the channel died', () => deliveries >= 2)
  await publisher.publish(event)
  await eventually('the duplicate publish handled', () => deliveries >= 3)
  const { rows } = await sql<{ n: string }>`select count(*) as n from effects`.execute(db)
  t.equal(Number(rows[0]?.n), 1, 'one effect')
  t.same(outcomes, ['applied', 'duplicate', 'duplicate'])
  await publisher.close()
  await consumer.stop()
})

t.test('a message that kills its consumer every time is dead-lettered by the broker after the delivery limit', async (t) => {
  const service = randomName('crashloop')
  cleanupTopology(t, [service], exchange, maxAttempts)
  const connection = await testConnection(t)
  let deliveries = 0
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts,
    backoff,
    deliveryLimit: 2,
    handlers: {
      'user.deleted': {
        1: async (_e, ctx) => {
          deliveries++
          await ctx.channel.close()
        },
      },
    },
  })
  const publisher = new EventPublisher({ connection, service: 'test', exchange })
  const event = createEvent('user.deleted', { userId: uuid() }, { source: 'test' })
  await publisher.publish(event)
  const letters = await eventually('the broker to dead-letter it', async () => {
    const l = await listDeadLetters({ connection, service })
    return l.length === 1 ? l : undefined
  })
  t.equal(letters[0]?.messageId, event.id)
  t.equal(letters[0]?.reason, 'broker:delivery_limit', 'the reason says the broker gave up after the delivery limit')
  t.equal(letters[0]?.routingKey, 'user.deleted')
  t.ok(deliveries >= 2, `delivered ${deliveries} times, then no more`)
  await publisher.close()
  await consumer.stop()
})
