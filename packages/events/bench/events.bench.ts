// Outbox → broker → consumer against a bare amqplib confirm-channel loop on the same broker.
// Run: npx tsx --conditions=@lms/source packages/events/bench/events.bench.ts  (source .lms/infra.env first)
import { randomBytes, randomUUID } from 'node:crypto'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import amqp from 'amqplib'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import {
  AmqpConnection,
  createEvent,
  createInboxTable,
  createOutboxTable,
  deleteServiceTopology,
  enqueue,
  EventPublisher,
  handleOnce,
  PgInbox,
  PgOutboxRelay,
  startConsumer,
} from '../src/index.js'

const THROUGHPUT_EVENTS = 5000
const RATE = 500
const LATENCY_SECONDS = 8
const pgUrl = process.env.LMS_PG_ADMIN_URL
const amqpUrl = process.env.AMQP_URL
if (!pgUrl || !amqpUrl) {
  console.error('LMS_PG_ADMIN_URL and AMQP_URL must be set: source .lms/infra.env (bash deploy/local/infra.sh up)')
  process.exit(2)
}
const suffix = randomBytes(4).toString('hex')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}
async function until(what: string, check: () => boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench timed out waiting for ${what}`)
    await sleep(5)
  }
}
/** Calls `fire(i)` at `rate`/s for `seconds`, without waiting for each call. */
async function paced(rate: number, seconds: number, fire: (i: number) => Promise<unknown>) {
  const start = performance.now()
  const pending: Promise<unknown>[] = []
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    pending.push(fire(i))
  }
  await Promise.all(pending)
}

async function bare() {
  // noDelay as AmqpConnection sets it: with amqplib's default (Nagle on) each confirm waits ~25 ms.
  const conn = await amqp.connect(amqpUrl!, { noDelay: true } as never)
  const pub = await conn.createConfirmChannel()
  const sub = await conn.createChannel()
  const exchange = `bench.bare.${suffix}`
  const queue = `bench.bare.${suffix}`
  await pub.assertExchange(exchange, 'topic', { durable: true })
  await pub.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await pub.bindQueue(queue, exchange, '#')
  await sub.prefetch(64)
  let received = 0
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  await sub.consume(queue, (m) => {
    if (!m) return
    const t0 = sentAt.get(m.properties.messageId)
    if (t0 !== undefined) latencies.push(performance.now() - t0)
    received++
    sub.ack(m)
  })
  const body = (i: number) =>
    Buffer.from(JSON.stringify({ id: randomUUID(), type: 'user.deleted', version: 1, data: { userId: randomUUID() }, i }))
  const publish = (id: string, i: number) =>
    new Promise<void>((res, rej) =>
      pub.publish(
        exchange,
        'user.deleted',
        body(i),
        { persistent: true, mandatory: true, messageId: id, contentType: 'application/json' },
        (e) => (e ? rej(e) : res()),
      ),
    )

  const t0 = performance.now()
  const inflight: Promise<void>[] = []
  for (let i = 0; i < THROUGHPUT_EVENTS; i++) {
    inflight.push(publish(randomUUID(), i))
    if (inflight.length >= 500) await Promise.all(inflight.splice(0))
  }
  await Promise.all(inflight)
  await until('bare consumer', () => received >= THROUGHPUT_EVENTS)
  const throughput = THROUGHPUT_EVENTS / ((performance.now() - t0) / 1000)

  received = 0
  await paced(RATE, LATENCY_SECONDS, (i) => {
    const id = randomUUID()
    sentAt.set(id, performance.now())
    return publish(id, i)
  })
  await until('bare consumer (latency)', () => received >= RATE * LATENCY_SECONDS)
  await pub.deleteQueue(queue)
  await pub.deleteExchange(exchange)
  await conn.close()
  return { throughput, p50: pct(latencies, 50), p99: pct(latencies, 99) }
}

/** `ack`: the handler only acks; `inbox`: handleOnce, one transaction per event; `batched`: PgInbox (group commit). */
async function outbox(mode: 'ack' | 'inbox' | 'batched') {
  const schema = `events_bench_${suffix}_${mode}`
  const admin = new pg.Client({ connectionString: pgUrl })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  // Producer and consumer are different services in production, each with its own pool.
  const kysely = (max: number) =>
    new Kysely<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgUrl, max, options: `-c search_path=${schema}` }) }),
    })
  const db = kysely(10)
  const consumerDb = kysely(20)
  // The relay gets its own small pool: behind a queue of producer transactions it would starve.
  const relayDb = kysely(3)
  await createOutboxTable(db)
  await createInboxTable(db)
  await sql`create table effects (event_id uuid primary key)`.execute(db)
  const exchange = `bench.events.${suffix}.${mode}`
  const service = `bench_${suffix}_${mode}`
  const connection = new AmqpConnection({ url: amqpUrl!, name: 'events-bench' })
  await connection.start()
  const committedAt = new Map<string, number>()
  const handledAt = new Map<string, number>()
  let handled = 0
  const inbox = new PgInbox({ db: consumerDb, consumer: service })
  const effect = (id: string) => (trx: Kysely<any>) => sql`insert into effects values (${id})`.execute(trx)
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts: 2,
    prefetch: 64,
    handlers: {
      'user.deleted': {
        1: async (event) => {
          if (mode === 'inbox') await handleOnce(consumerDb, service, event, effect(event.id))
          if (mode === 'batched') await inbox.handleOnce(event, effect(event.id))
          handledAt.set(event.id, performance.now())
          handled++
        },
      },
    },
  })
  const publisher = new EventPublisher({ connection, service: 'bench', exchange })
  const relay = new PgOutboxRelay({
    db: relayDb,
    publisher,
    service: 'bench',
    listen: { connectionString: pgUrl },
    pollIntervalMs: 1000,
    batchSize: 500,
  })
  await relay.start()

  const t0 = performance.now()
  const perTx = 50
  const writers: Promise<unknown>[] = []
  for (let i = 0; i < THROUGHPUT_EVENTS; i += perTx) {
    const events = Array.from({ length: perTx }, () => createEvent('user.deleted', { userId: randomUUID() }, { source: 'bench' }))
    writers.push(db.transaction().execute((trx) => enqueue(trx, events)))
    if (writers.length >= 8) await Promise.all(writers.splice(0))
  }
  await Promise.all(writers)
  await until('outbox consumer', () => handled >= THROUGHPUT_EVENTS)
  const throughput = THROUGHPUT_EVENTS / ((performance.now() - t0) / 1000)

  handled = 0
  const cpu = process.cpuUsage()
  await paced(RATE, LATENCY_SECONDS, async () => {
    const event = createEvent('user.deleted', { userId: randomUUID() }, { source: 'bench' })
    await db.transaction().execute((trx) => enqueue(trx, event))
    committedAt.set(event.id, performance.now())
  })
  await until('outbox consumer (latency)', () => handled >= RATE * LATENCY_SECONDS)
  const { user, system } = process.cpuUsage(cpu)
  // After the run: a handler can finish before the producer's commit callback has run.
  const latencies = [...committedAt].map(([id, t0]) => handledAt.get(id)! - t0)

  await relay.stop()
  await consumer.stop()
  await publisher.close()
  const ch = await (await connection.waitForConnection(5000)).createChannel()
  await deleteServiceTopology(ch, { service, exchange, maxAttempts: 2, deleteExchange: true })
  await ch.close()
  await connection.close()
  await db.destroy()
  await consumerDb.destroy()
  await relayDb.destroy()
  await admin.query(`drop schema ${schema} cascade`)
  await admin.end()
  return { throughput, p50: pct(latencies, 50), p99: pct(latencies, 99), cpuMicros: (user + system) / (RATE * LATENCY_SECONDS) }
}

const load = os.loadavg()[0]!.toFixed(1)
const b = await bare()
const o = await outbox('ack')
const i = await outbox('inbox')
const g = await outbox('batched')
const f = (n: number, d = 1) => n.toFixed(d).padStart(10)
console.log(
  `\n${THROUGHPUT_EVENTS} events for throughput; latency at ${RATE} events/s for ${LATENCY_SECONDS} s (commit/publish → handler done); CPU = this process (producer, relay, consumer) per event at ${RATE}/s\n`,
)
console.log('| path                                       | events/s   | p50 ms     | p99 ms     | CPU µs/ev  |')
console.log('|--------------------------------------------|------------|------------|------------|------------|')
console.log(`| bare amqplib confirm publish/consume       | ${f(b.throughput, 0)} | ${f(b.p50)} | ${f(b.p99)} |            |`)
console.log(`| outbox → relay → consumer (ack only)       | ${f(o.throughput, 0)} | ${f(o.p50)} | ${f(o.p99)} | ${f(o.cpuMicros, 0)} |`)
console.log(`| outbox → relay → consumer + handleOnce     | ${f(i.throughput, 0)} | ${f(i.p50)} | ${f(i.p99)} | ${f(i.cpuMicros, 0)} |`)
console.log(`| outbox → relay → consumer + PgInbox        | ${f(g.throughput, 0)} | ${f(g.p50)} | ${f(g.p99)} | ${f(g.cpuMicros, 0)} |`)
const share = (x: number) => `${((x / b.throughput) * 100).toFixed(1)} %`
console.log(
  `\nthroughput outbox/bare: ${share(o.throughput)} ack only, ${share(i.throughput)} handleOnce, ${share(g.throughput)} PgInbox (target ≥ 50 %)`,
)
console.log(`p99 at ${RATE}/s: ${o.p99.toFixed(1)} ms ack only, ${i.p99.toFixed(1)} ms handleOnce, ${g.p99.toFixed(1)} ms PgInbox (target ≤ 50 ms)`)
console.log(`1-min load average: ${load} at start, ${os.loadavg()[0]!.toFixed(1)} at the end, on ${os.cpus().length} CPUs`)
