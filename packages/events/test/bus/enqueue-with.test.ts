import t from 'tap'
import { sql } from 'kysely'
import { createEvent } from '../../src/catalog/index.js'
import { createOutboxTable, enqueueWith } from '../../src/bus/outbox-pg.js'
import { countNotifications, eventually, testSchema, uuid } from '../helper.js'

async function ordersAndOutbox(t: Parameters<typeof testSchema>[0]) {
  const { db, schema, listen } = await testSchema(t)
  await createOutboxTable(db)
  await sql`create table orders (id uuid primary key, status text not null)`.execute(db)
  const outbox = async () => (await sql<{ event_id: string }>`select event_id from outbox order by position`.execute(db.withoutPlugins())).rows.map((r) => r.event_id)
  const pay = (id: string) => sql`update orders set status = 'paid' where id = ${id} and status = 'open' returning id`
  return { db, schema, listen, outbox, pay }
}

t.test('enqueueWith writes the events and notifies only when its statement returns a row, and says whether it did', async (t) => {
  const { db, schema, listen, outbox, pay } = await ordersAndOutbox(t)
  const notified = await countNotifications(t, listen, schema)
  const id = uuid()
  await sql`insert into orders values (${id}, 'open')`.execute(db)

  const first = [createEvent('user.deleted', { userId: uuid() }, { source: 'test' }), createEvent('user.deleted', { userId: uuid() }, { source: 'test' })]
  t.equal(await enqueueWith(db, pay(id), first), true)
  t.same(await outbox(), first.map((e) => e.id), 'both events, in order')
  await eventually('the relays are notified', () => notified() === 1)

  t.equal(await enqueueWith(db, pay(id), createEvent('user.deleted', { userId: uuid() }, { source: 'test' })), false, 'the order is no longer open')
  t.equal(await enqueueWith(db, pay(uuid()), createEvent('user.deleted', { userId: uuid() }, { source: 'test' })), false, 'no such order')
  t.same(await outbox(), first.map((e) => e.id), 'nothing written for a statement that returned no row')
  t.equal(await enqueueWith(db, pay(id), []), false, 'without events it still runs the statement')
})

t.test('enqueueWith is one statement: when the outbox insert fails, the write is undone too', async (t) => {
  const { db, outbox, pay } = await ordersAndOutbox(t)
  const id = uuid()
  await sql`insert into orders values (${id}, 'open')`.execute(db)
  const event = createEvent('user.deleted', { userId: uuid() }, { source: 'test' })
  await enqueueWith(db, sql`insert into orders values (${uuid()}, 'open') returning id`, event)
  await t.rejects(enqueueWith(db, pay(id), event), /duplicate key/, 'the same event id twice')
  const { rows } = await sql<{ status: string }>`select status from orders where id = ${id}`.execute(db)
  t.equal(rows[0]?.status, 'open', 'the update rolled back with the failed insert')
  t.same(await outbox(), [event.id])
})
