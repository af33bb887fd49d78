import t from 'tap'
import { MongoClient } from 'mongodb'
import { createEvent } from '../../src/catalog/index.js'
import { startConsumer } from '../../src/bus/consumer.js'
import { MongoOutboxRelay, type OutboxFields, withOutbox, withPendingEvents } from '../../src/bus/outbox-mongo.js'
import { EventPublisher } from '../../src/bus/publisher.js'
import { cleanupTopology, env, eventually, randomName, testConnection, uuid } from '../helper.js'

const exchange = randomName('events_test_x')

async function testDb(t: { teardown(fn: () => unknown): void }) {
  const client = await new MongoClient(env('MONGO_URL')).connect()
  const db = client.db(randomName('events_test'))
  t.teardown(async () => {
    await db.dropDatabase()
    await client.close()
  })
  return db
}

const published = (courseId: string, version: number) =>
  createEvent(
    'course.updated',
    {
      courseId,
      version,
      title: `v${version}`,
      instructorId: uuid(),
      capacity: null,
      status: 'published',
      modules: [],
      requiredAssessmentIds: [],
    },
    { source: 'course' },
  )

t.test('a document update and its pending event are written atomically, and a rejected update writes neither', async (t) => {
  const db = await testDb(t)
  const courses = db.collection<{ _id: string; title: string; version: number } & OutboxFields>('courses')
  const id = uuid()
  await courses.insertOne(withPendingEvents({ _id: id, title: 'a', version: 1 }, [published(id, 1)]))
  const r = await courses.updateOne({ _id: id, version: 1 }, withOutbox({ $set: { title: 'b' }, $inc: { version: 1 } }, [published(id, 2)]))
  t.equal(r.modifiedCount, 1)
  const stale = await courses.updateOne({ _id: id, version: 1 }, withOutbox({ $set: { title: 'c' } }, [published(id, 3)]))
  t.equal(stale.modifiedCount, 0, 'an optimistic-concurrency miss changes nothing')
  const doc = await courses.findOne({ _id: id })
  t.equal(doc?.title, 'b')
  t.same(
    doc?.pendingEvents?.map((p) => (p.envelope.data as { version: number }).version),
    [1, 2],
    'exactly the committed changes carry events, in order',
  )
})

t.test('two Mongo relays publish every pending event once, in document order, and clear them', async (t) => {
  const service = randomName('mongo')
  cleanupTopology(t, [service], exchange, 2)
  const db = await testDb(t)
  const courses = db.collection<{ _id: string; version: number } & OutboxFields>('courses')
  const connection = await testConnection(t)
  const received: Array<{ courseId: string; version: number; id: string }> = []
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts: 2,
    prefetch: 1,
    handlers: { 'course.updated': { 1: (e) => void received.push({ courseId: e.data.courseId, version: e.data.version, id: e.id }) } },
  })
  const publisher = new EventPublisher({ connection, service: 'course', exchange })
  const relays = [1, 2].map(() => new MongoOutboxRelay({ db, collections: ['courses'], publisher, service: 'course', pollIntervalMs: 20 }))
  const docs = 30
  const versions = 4
  const ids = Array.from({ length: docs }, () => uuid())
  for (const id of ids) {
    await courses.insertOne(withPendingEvents({ _id: id, version: 1 }, [published(id, 1)]))
    for (let v = 2; v <= versions; v++) await courses.updateOne({ _id: id }, withOutbox({ $set: { version: v } }, [published(id, v)]))
  }
  for (const r of relays) r.start()
  // New documents keep arriving while the relays run. (Updates of documents the relays are
  // clearing are not raced here: FerretDB 1.x loses concurrent updates of one document.)
  const late = Array.from({ length: 10 }, () => uuid())
  for (const id of late) {
    await courses.insertOne(
      withPendingEvents(
        { _id: id, version: 1 },
        [1, 2, 3, 4].map((v) => published(id, v)),
      ),
    )
  }
  ids.push(...late)
  await eventually('all events received', () => received.length >= ids.length * versions, 60_000)
  for (const r of relays) await r.stop()
  await new Promise((r) => setTimeout(r, 300))
  t.equal(new Set(received.map((r) => r.id)).size, received.length, 'no event sent twice')
  t.equal(received.length, ids.length * versions, 'none lost')
  for (const id of ids) {
    const order = received.filter((r) => r.courseId === id).map((r) => r.version)
    if (order.join() !== '1,2,3,4') t.fail(`events of ${id} out of order: ${order.join()}`)
  }
  t.equal(await courses.countDocuments({ 'pendingEvents.id': { $exists: true } }), 0, 'every pending event was pulled')
  await consumer.stop()
  await publisher.close()
})

t.test('an event that reappears in its document after it was sent is removed without being sent again', async (t) => {
  const service = randomName('mongo_again')
  cleanupTopology(t, [service], exchange, 2)
  const db = await testDb(t)
  const courses = db.collection<{ _id: string } & OutboxFields>('courses')
  const connection = await testConnection(t)
  const received: string[] = []
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts: 2,
    handlers: { 'course.archived': { 1: (e) => void received.push(e.id) } },
  })
  const publisher = new EventPublisher({ connection, service: 'course', exchange })
  const relay = new MongoOutboxRelay({ db, collections: ['courses'], publisher, service: 'course' })
  const id = uuid()
  const doc = withPendingEvents({ _id: id }, [createEvent('course.archived', { courseId: id }, { source: 'course' })])
  await courses.insertOne(doc)
  t.equal(await relay.drain(), 1)
  // What a lost update looks like: a concurrent write puts the sent event back.
  await courses.updateOne({ _id: id }, { $set: { pendingEvents: doc.pendingEvents } })
  await relay.drain()
  await eventually('the first delivery', () => received.length === 1)
  await new Promise((r) => setTimeout(r, 300))
  t.equal(received.length, 1, 'sent once')
  t.equal(await courses.countDocuments({ 'pendingEvents.id': { $exists: true } }), 0, 'and cleared')
  await consumer.stop()
  await publisher.close()
})
