import t from 'tap'
import { MongoClient, type CommandStartedEvent } from 'mongodb'
import { createEvent } from '../../src/catalog/index.js'
import { startConsumer } from '../../src/bus/consumer.js'
import { MongoOutboxRelay, OUTBOX_PENDING, type OutboxFields, withOutbox, withPendingEvents, writeWithPendingMark } from '../../src/bus/outbox-mongo.js'
import { EventPublisher } from '../../src/bus/publisher.js'
import { cleanupTopology, env, eventually, randomName, testConnection, uuid } from '../helper.js'

const exchange = randomName('events_test_x')

async function testDb(t: { teardown(fn: () => unknown): void }, onCommand?: (e: CommandStartedEvent) => void) {
  const client = await new MongoClient(env('MONGO_URL'), { monitorCommands: Boolean(onCommand) }).connect()
  if (onCommand) client.on('commandStarted', onCommand)
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
    await writeWithPendingMark(db, 'courses', id, () => courses.insertOne(withPendingEvents({ _id: id, version: 1 }, [published(id, 1)])))
    for (let v = 2; v <= versions; v++) await writeWithPendingMark(db, 'courses', id, () => courses.updateOne({ _id: id }, withOutbox({ $set: { version: v } }, [published(id, v)])))
  }
  for (const r of relays) r.start()
  // New documents keep arriving while the relays run. (Updates of documents the relays are
  // clearing are not raced here: FerretDB 1.x loses concurrent updates of one document.)
  const late = Array.from({ length: 10 }, () => uuid())
  for (const id of late) {
    await writeWithPendingMark(db, 'courses', id, () => courses.insertOne(withPendingEvents({ _id: id, version: 1 }, [1, 2, 3, 4].map((v) => published(id, v)))))
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
  t.equal(await db.collection(OUTBOX_PENDING).countDocuments({}), 0, 'and every marker removed')
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
  await writeWithPendingMark(db, 'courses', id, () => courses.insertOne(doc))
  t.equal(await relay.drain(), 1)
  // What a lost update looks like: a concurrent write puts the sent event back (without a marker).
  await courses.updateOne({ _id: id }, { $set: { pendingEvents: doc.pendingEvents } })
  t.equal(await relay.scan(), 1, 'the fallback scan finds the unmarked document')
  await relay.drain()
  await eventually('the first delivery', () => received.length === 1)
  await new Promise((r) => setTimeout(r, 300))
  t.equal(received.length, 1, 'sent once')
  t.equal(await courses.countDocuments({ 'pendingEvents.id': { $exists: true } }), 0, 'and cleared')
  await consumer.stop()
  await publisher.close()
})

/** A publisher on the test exchange and the course ids of the `course.updated` events a consumer received. */
async function updatedProbe(t: Parameters<typeof testConnection>[0], name: string) {
  const service = randomName(name)
  cleanupTopology(t, [service], exchange, 2)
  const connection = await testConnection(t)
  const received: string[] = []
  const consumer = await startConsumer({ connection, service, exchange, maxAttempts: 2, handlers: { 'course.updated': { 1: (e) => void received.push(e.data.courseId) } } })
  const publisher = new EventPublisher({ connection, service: 'course', exchange })
  return { publisher, received, stop: async () => { await consumer.stop(); await publisher.close() } }
}

t.test('the relay finds pending documents through their markers: it never queries the collection but by _id, and removes each marker once its document is clear', async (t) => {
  const probe = await updatedProbe(t, 'mongo_marks')
  const { publisher, received } = probe
  const queries: Array<Record<string, unknown>> = []
  const db = await testDb(t, (e) => {
    const cmd = e.command as { find?: string; findAndModify?: string; update?: string; filter?: Record<string, unknown>; query?: Record<string, unknown> }
    if (cmd.find === 'courses') queries.push(cmd.filter ?? {})
    if (cmd.findAndModify === 'courses') queries.push(cmd.query ?? {})
  })
  const courses = db.collection<{ _id: string; version: number } & OutboxFields>('courses')
  const relay = new MongoOutboxRelay({ db, collections: ['courses'], publisher, service: 'course' })
  const ids = [uuid(), uuid(), uuid()]
  for (const id of ids) await writeWithPendingMark(db, 'courses', id, () => courses.insertOne(withPendingEvents({ _id: id, version: 1 }, [published(id, 1), published(id, 2)])))
  t.same((await db.collection(OUTBOX_PENDING).find({}).toArray()).map((m) => m._id).sort(), ids.map((id) => `courses:${id}`).sort(), 'one marker per written document')
  t.equal(await relay.drain(), 6)
  await eventually('the events', () => received.length === 6)
  t.ok(queries.length >= 3, 'the relay read the documents')
  t.same(queries.filter((f) => Object.keys(f).join() !== '_id'), [], 'only by _id')
  t.equal(await db.collection(OUTBOX_PENDING).countDocuments({}), 0, 'markers removed')
  t.equal(await relay.drain(), 0, 'nothing left: a poll reads only the empty marker collection')
  await probe.stop()
})

t.test('a marker whose write never happened (a crash in between) is removed with nothing sent; a document written without a marker is found by the scan at start', async (t) => {
  const probe = await updatedProbe(t, 'mongo_crash')
  const { publisher, received } = probe
  const db = await testDb(t)
  const courses = db.collection<{ _id: string } & OutboxFields>('courses')
  const relay = new MongoOutboxRelay({ db, collections: ['courses'], publisher, service: 'course', pollIntervalMs: 20 })
  const crashed = uuid()
  await writeWithPendingMark(db, 'courses', crashed, async () => { throw new Error('the process died here') }).catch(() => {})
  t.equal(await db.collection(OUTBOX_PENDING).countDocuments({}), 1, 'the marker went first')
  t.equal(await relay.drain(), 0, 'nothing to send')
  t.equal(await db.collection(OUTBOX_PENDING).countDocuments({}), 0, 'and the marker is gone')

  const old = uuid()
  await courses.insertOne(withPendingEvents({ _id: old }, [published(old, 1)]))
  t.equal(await relay.drain(), 0, 'unmarked: not seen by a poll')
  relay.start()
  await eventually('the unmarked document relayed after the start-up scan', () => received.includes(old))
  await relay.stop()
  t.equal(await courses.countDocuments({ 'pendingEvents.id': { $exists: true } }), 0)
  t.same(received, [old])
  await probe.stop()
})

t.test('a relay that reads a marked document before its write lands keeps the marker, and the event goes out next round', async (t) => {
  const probe = await updatedProbe(t, 'mongo_race')
  const { publisher, received } = probe
  const db = await testDb(t)
  const courses = db.collection<{ _id: string; version: number } & OutboxFields>('courses')
  const id = uuid()
  await courses.insertOne({ _id: id, version: 1 })
  let land!: () => void
  const writing = writeWithPendingMark(db, 'courses', id, async () => {
    await new Promise<void>((r) => { land = r })
    return courses.updateOne({ _id: id }, withOutbox({ $set: { version: 2 } }, [published(id, 2)]))
  })
  await eventually('the marker', async () => (await db.collection(OUTBOX_PENDING).countDocuments({})) === 1)
  // The writer holds the document's lock: the relay read the document before the write, and settles after it.
  const relay = new MongoOutboxRelay({
    db, collections: ['courses'], publisher, service: 'course',
    withDocumentLock: async (_c, _id, settle) => { land(); await writing; await settle() },
  })
  t.equal(await relay.drain(), 1, 'nothing sent in the first round, the event in the second')
  await eventually('the event', () => received.length === 1)
  t.equal(await db.collection(OUTBOX_PENDING).countDocuments({}), 0)
  t.equal(await courses.countDocuments({ 'pendingEvents.id': { $exists: true } }), 0)
  await probe.stop()
})
