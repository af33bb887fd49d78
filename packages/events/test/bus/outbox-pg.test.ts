import t from 'tap'
import { Registry } from 'prom-client'
import { sql } from 'kysely'
import { createEvent, EventValidationError } from '../../src/catalog/index.js'
import { startConsumer } from '../../src/bus/consumer.js'
import { createOutboxTable, enqueue, PgOutboxRelay } from '../../src/bus/outbox-pg.js'
import { createEventMetrics } from '../../src/bus/metrics.js'
import { EventPublisher, UnroutableEventError } from '../../src/bus/publisher.js'
import { cleanupTopology, countNotifications, eventually, randomName, testConnection, testSchema, uuid } from '../helper.js'

const exchange = randomName('events_test_x')

/** A fresh outbox, an AMQP connection and a consumer on `exchange` recording the ids it receives, in order. */
async function outboxAndConsumer(t: Parameters<typeof testSchema>[0], name: string) {
  const service = randomName(name)
  cleanupTopology(t, [service], exchange, 2)
  const { db, listen, schema } = await testSchema(t)
  await createOutboxTable(db)
  const connection = await testConnection(t)
  const received: string[] = []
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts: 2,
    prefetch: 50,
    handlers: { 'user.deleted': { 1: (e) => void received.push(e.id) } },
  })
  return { db, listen, schema, connection, received, consumer }
}

t.test('publishing an invalid event throws a validation error with paths', async (t) => {
  const connection = await testConnection(t)
  const publisher = new EventPublisher({ connection, service: 'test', exchange })
  t.throws(() => createEvent('user.deleted', { userId: 'not-a-uuid' }, { source: 'test' }), EventValidationError)
  const bad = { ...createEvent('user.deleted', { userId: uuid() }, { source: 'test' }), data: { userId: 1 } }
  await t.rejects(publisher.publish(bad as never), { name: 'EventValidationError', issues: [{ path: '/data/userId' }] })
  await publisher.close()
})

t.test('an unroutable event rejects the publish and its outbox row stays pending', async (t) => {
  const { db } = await testSchema(t)
  await createOutboxTable(db)
  const connection = await testConnection(t)
  const lonely = randomName('events_test_lonely')
  t.teardown(async () => {
    const ch = await (await connection.waitForConnection(5000)).createChannel()
    await ch.deleteExchange(lonely)
    await ch.close()
  })
  const publisher = new EventPublisher({ connection, service: 'test', exchange: lonely })
  const event = createEvent('user.deleted', { userId: uuid() }, { source: 'test' })
  await t.rejects(publisher.publish(event), UnroutableEventError)
  await db.transaction().execute((trx) => enqueue(trx, event))
  const registry = new Registry()
  const relay = new PgOutboxRelay({ db, publisher, service: 'test', retryBaseMs: 50, metrics: createEventMetrics(registry) })
  t.equal(await relay.drain(), 0, 'nothing counted as sent')
  await relay.refreshMetrics()
  t.match(await registry.metrics(), /lms_outbox_backlog\{service="test"\} 1/, 'the backlog gauge shows the pending row')
  const { rows } = await sql<{
    sentAt: Date | null
    attempts: number
    lastError: string
  }>`select sent_at, attempts, last_error from outbox`.execute(db)
  t.equal(rows[0]?.sentAt, null, 'the row is still pending')
  t.equal(rows[0]?.attempts, 1)
  t.match(rows[0]?.lastError, /unroutable/)
  await publisher.close()
})

t.test('enqueue writes nothing when the transaction rolls back', async (t) => {
  const { db } = await testSchema(t)
  await createOutboxTable(db)
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await enqueue(trx, createEvent('user.deleted', { userId: uuid() }, { source: 'test' }))
      throw new Error('rollback')
    }),
  )
  const { rows } = await sql<{ n: string }>`select count(*) as n from outbox`.execute(db)
  t.equal(Number(rows[0]?.n), 0)
})

t.test('a relay wakes right after its own process commits an enqueue, without NOTIFY; once it stops, enqueue notifies again', async (t) => {
  const { db, schema, listen, received, connection, consumer } = await outboxAndConsumer(t, 'local')
  const notified = await countNotifications(t, listen, schema)
  const publisher = new EventPublisher({ connection, service: 'test', exchange })
  // Neither LISTEN nor a poll within the test's lifetime: only the in-process wake can deliver.
  const relay = new PgOutboxRelay({ db, producerDb: db, publisher, service: 'test', pollIntervalMs: 600_000 })
  await relay.start()
  t.teardown(() => relay.stop())
  const inTransaction = createEvent('user.deleted', { userId: uuid() }, { source: 'test' })
  await db.transaction().execute((trx) => enqueue(trx, inTransaction))
  await eventually('the transaction\'s event is received', () => received.includes(inTransaction.id))
  const alone = createEvent('user.deleted', { userId: uuid() }, { source: 'test' })
  await enqueue(db, alone)
  await eventually('the autocommitted event is received', () => received.includes(alone.id))
  await t.rejects(db.transaction().execute(async (trx) => {
    await enqueue(trx, createEvent('user.deleted', { userId: uuid() }, { source: 'test' }))
    throw new Error('rollback')
  }))
  t.equal(notified(), 0, 'no NOTIFY while the local relay runs')
  await relay.stop()
  await db.transaction().execute((trx) => enqueue(trx, createEvent('user.deleted', { userId: uuid() }, { source: 'test' })))
  await eventually('a NOTIFY once the relay stopped', () => notified() === 1)
  t.same(received, [inTransaction.id, alone.id], 'each event once, the rolled-back one never')
  await consumer.stop()
  await publisher.close()
})

t.test('two relays over one outbox send every event exactly once', async (t) => {
  const { db, listen, connection, received, consumer } = await outboxAndConsumer(t, 'relays')
  const registryA = new Registry()
  const registryB = new Registry()
  const publisherA = new EventPublisher({ connection, service: 'test', exchange, metrics: createEventMetrics(registryA) })
  const publisherB = new EventPublisher({ connection, service: 'test', exchange, metrics: createEventMetrics(registryB) })
  const relayA = new PgOutboxRelay({ db, publisher: publisherA, service: 'test', listen, batchSize: 20, pollIntervalMs: 50 })
  const relayB = new PgOutboxRelay({ db, publisher: publisherB, service: 'test', listen, batchSize: 20, pollIntervalMs: 50 })
  await relayA.start()
  await relayB.start()
  const total = 1000
  for (let i = 0; i < total; i += 50) {
    const batch = Array.from({ length: 50 }, () => createEvent('user.deleted', { userId: uuid() }, { source: 'test' }))
    await db.transaction().execute((trx) => enqueue(trx, batch))
  }
  await eventually('all events received', () => new Set(received).size === total, 60_000)
  await relayA.stop()
  await relayB.stop()
  await new Promise((r) => setTimeout(r, 300))
  t.equal(new Set(received).size, total, 'none lost')
  t.equal(received.length, total, 'none delivered twice')
  const sentBy = async (r: Registry) => (await r.getSingleMetric('lms_events_published_total')!.get()).values[0]?.value ?? 0
  const [a, b] = [await sentBy(registryA), await sentBy(registryB)]
  t.equal(a + b, total, `the relays published ${a} + ${b} = ${total}: no row twice`)
  t.ok(a > 0 && b > 0, 'both relays took a share of the work')
  const { rows } = await sql<{ n: string }>`select count(*) as n from outbox where sent_at is null`.execute(db)
  t.equal(Number(rows[0]?.n), 0, 'every row is marked sent')
  await consumer.stop()
  await publisherA.close()
  await publisherB.close()
})

t.test('a relay publishes rows in outbox order while earlier claims still await their confirms', async (t) => {
  const { db, listen, connection, received, consumer } = await outboxAndConsumer(t, 'order')
  const publisher = new EventPublisher({ connection, service: 'test', exchange })
  // Small claims in short transactions: the order must hold across claims and across transactions.
  const relay = new PgOutboxRelay({ db, publisher, service: 'test', listen, batchSize: 7, windowMs: 1 })
  await relay.start()
  for (let i = 0; i < 30; i++) {
    const events = Array.from({ length: 20 }, () => createEvent('user.deleted', { userId: uuid() }, { source: 'test' }))
    await db.transaction().execute((trx) => enqueue(trx, events))
  }
  await eventually('600 events received', () => received.length >= 600)
  await relay.stop()
  const { rows } = await sql<{ eventId: string }>`select event_id from outbox order by position`.execute(db)
  t.same(received, rows.map((r) => r.eventId), 'received in position order, each once')
  const pending = await sql<{ n: string }>`select count(*) as n from outbox where sent_at is null`.execute(db)
  t.equal(Number(pending.rows[0]?.n), 0, 'every row is marked sent')
  await consumer.stop()
  await publisher.close()
})
