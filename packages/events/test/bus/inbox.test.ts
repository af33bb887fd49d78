import t from 'tap'
import { sql } from 'kysely'
import { createEvent } from '../../src/catalog/index.js'
import { createInboxTable, handleOnce, PgInbox } from '../../src/bus/inbox.js'
import { testSchema, uuid } from '../helper.js'

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
