import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { sql } from 'kysely'
import { createEvent } from '../../src/catalog/index.js'
import { startConsumer } from '../../src/bus/consumer.js'
import { createInboxTable, handleOnce } from '../../src/bus/inbox.js'
import { createOutboxTable, enqueue, PgOutboxRelay } from '../../src/bus/outbox-pg.js'
import { EventPublisher } from '../../src/bus/publisher.js'
import { cleanupTopology, eventually, randomName, testConnection, testSchema, uuid } from '../helper.js'

const infraScript = fileURLToPath(new URL('../../../../deploy/local/infra.sh', import.meta.url))

t.test('5,000 outbox events survive a broker restart mid-stream: each effect applied exactly once, none lost', async (t) => {
  const exchange = randomName('events_test_x')
  const service = randomName('restart')
  cleanupTopology(t, [service], exchange, 3)
  const { db, listen } = await testSchema(t, { poolSize: 20 })
  await createOutboxTable(db)
  await createInboxTable(db)
  await sql`create table effects (event_id uuid not null)`.execute(db)
  const connection = await testConnection(t, 'restart-test')
  let disconnects = 0
  connection.on('disconnect', () => disconnects++)
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts: 3,
    prefetch: 32,
    backoff: { initialMs: 100, factor: 2, maxMs: 1000 },
    handlers: {
      'enrollment.progressed': {
        1: (event) => handleOnce(db, service, event, (trx) => sql`insert into effects values (${event.id})`.execute(trx)),
      },
    },
  })
  const publisher = new EventPublisher({ connection, service: 'test', exchange })
  const relay = new PgOutboxRelay({ db, publisher, service: 'test', listen, pollIntervalMs: 200, retryBaseMs: 100, retryMaxMs: 1000 })
  await relay.start()

  const total = 5000
  const perTx = 50
  let restart: Promise<unknown> | undefined
  for (let i = 0; i < total; i += perTx) {
    if (i === 2000) restart = promisify(execFile)('bash', [infraScript, 'restart-rabbitmq'])
    const events = Array.from({ length: perTx }, () =>
      createEvent(
        'enrollment.progressed',
        { enrollmentId: uuid(), userId: uuid(), courseId: uuid(), progressPercentage: 25, milestone: 25 },
        { source: 'test' },
      ),
    )
    await db.transaction().execute((trx) => enqueue(trx, events))
  }
  await restart
  await eventually('the client to notice the restart', () => disconnects > 0, 30_000)

  const count = async () => {
    const { rows } = await sql<{ n: string; d: string }>`select count(*) as n, count(distinct event_id) as d from effects`.execute(db)
    return { n: Number(rows[0]?.n), d: Number(rows[0]?.d) }
  }
  await eventually('5,000 effects', async () => (await count()).d === total, 150_000, 250)
  await relay.stop()
  await new Promise((r) => setTimeout(r, 500))
  const { n, d } = await count()
  t.ok(disconnects > 0, 'the connection dropped during the run')
  t.equal(d, total, 'every event applied')
  t.equal(n, total, 'no event applied twice')
  const { rows } = await sql<{ n: string }>`select count(*) as n from outbox where sent_at is null`.execute(db)
  t.equal(Number(rows[0]?.n), 0, 'the outbox is empty')
  await consumer.stop()
  await publisher.close()
})
