import t from 'tap'
import { sql } from 'kysely'
import { createEvent } from '../../src/catalog/index.js'
import { startConsumer } from '../../src/bus/consumer.js'
import { listDeadLetters } from '../../src/bus/dead-letters.js'
import { createInboxTable, handleOnce, PgInbox } from '../../src/bus/inbox.js'
import { EventPublisher } from '../../src/bus/publisher.js'
import { cleanupTopology, eventually, randomName, testConnection, testSchema, uuid } from '../helper.js'

async function inboxSchema(t: Parameters<typeof testSchema>[0]) {
  const { db } = await testSchema(t)
  await createInboxTable(db)
  await sql`create table effects (event_id uuid primary key, tx bigint not null)`.execute(db)
  const effect = (id: string) => (trx: typeof db) => sql`insert into effects values (${id}, txid_current())`.execute(trx)
  const count = async (table: 'effects' | 'inbox') =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n)
  return { db, effect, count }
}
const deleted = () => createEvent('user.deleted', { userId: uuid() }, { source: 'test' })

t.test('events handed over together share one transaction, up to maxBatch', async (t) => {
  const { db, effect } = await inboxSchema(t)
  const inbox = new PgInbox({ db, consumer: 'test', maxBatch: 4, concurrency: 1 })
  const events = Array.from({ length: 11 }, deleted)
  const outcomes = await Promise.all(events.map((e) => inbox.handleOnce(e, effect(e.id))))
  t.same(outcomes, Array(11).fill('applied'))
  const { rows } = await sql<{ n: string }>`select count(distinct tx) as n from effects`.execute(db)
  t.equal(Number(rows[0]?.n), 3, '11 events in 3 transactions')
})

t.test('an event already in the inbox, or twice in one batch, resolves duplicate and applies nothing', async (t) => {
  const { db, effect, count } = await inboxSchema(t)
  const inbox = new PgInbox({ db, consumer: 'test' })
  const seen = deleted()
  await handleOnce(db, 'test', seen, effect(seen.id))
  const fresh = deleted()
  const outcomes = await Promise.all([
    inbox.handleOnce(fresh, effect(fresh.id)),
    inbox.handleOnce(seen, effect(seen.id)),
    inbox.handleOnce(fresh, effect(fresh.id)),
  ])
  t.same(outcomes, ['applied', 'duplicate', 'duplicate'])
  t.equal(await count('effects'), 2)
  t.equal(await count('inbox'), 2)
})

t.test('a failing effect rejects only its own event; the rest of its batch is applied once', async (t) => {
  const { db, effect, count } = await inboxSchema(t)
  const inbox = new PgInbox({ db, consumer: 'test' })
  const events = Array.from({ length: 10 }, deleted)
  const results = await Promise.allSettled(
    events.map((e, i) =>
      inbox.handleOnce(e, async (trx) => {
        await effect(e.id)(trx)
        if (i === 6) throw new Error('effect failed')
      }),
    ),
  )
  t.same(
    results.map((r) => r.status),
    events.map((_, i) => (i === 6 ? 'rejected' : 'fulfilled')),
  )
  t.equal(await count('effects'), 9, 'the failing effect was rolled back')
  t.equal(await count('inbox'), 9, 'the failing event is not recorded, so a retry applies it')
})

t.test('behind a consumer, a failing event goes its own way to the DLQ, a redelivery applies once, and each ack follows its commit', async (t) => {
  const { db, effect, count } = await inboxSchema(t)
  const exchange = randomName('events_test_x')
  const service = randomName('inbox')
  const maxAttempts = 2
  cleanupTopology(t, [service], exchange, maxAttempts)
  const connection = await testConnection(t)
  const inbox = new PgInbox({ db, consumer: service })
  const poison = createEvent('user.deleted', { userId: uuid() }, { source: 'test' })
  const outcomes: string[] = []
  let uncommittedAtAck = 0
  let goodFailed = 0
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts,
    backoff: { initialMs: 50, factor: 2, maxMs: 100 },
    prefetch: 32,
    handlers: {
      'user.deleted': {
        1: async (event) => {
          const outcome = await inbox
            .handleOnce(event, async (trx) => {
              await effect(event.id)(trx)
              if (event.id === poison.id) throw new Error('poison')
            })
            .catch((err: unknown) => {
              if (event.id !== poison.id) goodFailed++
              throw err
            })
          // What the consumer acks next must already be visible to every other connection.
          const { rows } = await sql`select 1 from effects where event_id = ${event.id}`.execute(db)
          if (rows.length === 0) uncommittedAtAck++
          outcomes.push(outcome)
          return outcome
        },
      },
    },
  })
  const publisher = new EventPublisher({ connection, service: 'test', exchange })
  const events = Array.from({ length: 40 }, deleted)
  events.splice(17, 0, poison)
  // Published concurrently, so the consumer hands them to the inbox in shared batches.
  await Promise.all([...events, events[3]!].map((e) => publisher.publish(e)))
  await eventually('every good event handled, the redelivery too', () => outcomes.length === events.length)
  const letters = await eventually('the poison event dead-lettered', async () => {
    const l = await listDeadLetters({ connection, service })
    return l.length ? l : undefined
  })
  t.same(letters.map((l) => [l.messageId, l.reason, l.attempts]), [[poison.id, 'handler_failed', maxAttempts]])
  t.equal(outcomes.filter((o) => o === 'applied').length, events.length - 1, 'every good event applied')
  t.equal(outcomes.filter((o) => o === 'duplicate').length, 1, 'the second delivery of one event is a duplicate')
  t.equal(await count('effects'), events.length - 1, 'one effect each; none of the poison event')
  t.equal(goodFailed, 0, 'the poison event failed no other event')
  t.equal(uncommittedAtAck, 0, 'no handler resolved before its effects committed')
  await consumer.stop()
  await publisher.close()
})
