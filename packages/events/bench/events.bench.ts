// Outbox → broker → consumer against a bare amqplib confirm-channel loop on the same broker.
// Run: node --import tsx --conditions=@lms/source packages/events/bench/events.bench.ts  (source .lms/infra.env first)
// BENCH_ROUNDS=n runs every path n times, alternating, and reports each path's median run;
// BENCH_PATHS=bare,services,... picks paths (names in PATHS below); BENCH_RATE, BENCH_LATENCY_SECONDS.
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
import { TICK_MS, machineTicks, processTicks, serverProcesses } from '../../../scripts/bench/proc-cpu.mjs'

const THROUGHPUT_EVENTS = 5000
// The target is set at 500/s; BENCH_RATE lower shows latency where a loaded machine still keeps up.
const RATE = Number(process.env.BENCH_RATE ?? 500)
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 8)
// Each path is warmed up before it is measured (JIT, plans, the fresh queue's leader, the pools).
const WARMUP_EVENTS = 1000
const WARMUP_SECONDS = 1
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

/** CPU the machine spent on a throughput burst: µs per event of this process, PostgreSQL and RabbitMQ, and the share of all cores busy. */
interface BurstCpu { bench: number; postgres: number; rabbitmq: number; busy: number }

/** CPU ms so far of this process and of every PostgreSQL and RabbitMQ process, and the machine's busy (steal included) and total ms. */
function cpuNow() {
  const ms = (pids: number[]) => pids.reduce((sum, pid) => sum + (processTicks(pid) ?? 0), 0) * TICK_MS
  const [postgres = [], , rabbitmq = []] = serverProcesses()
  const machine = machineTicks()
  const busy = (machine.busy + machine.steal) * TICK_MS
  return { bench: ms([process.pid]), postgres: ms(postgres), rabbitmq: ms(rabbitmq), busy, total: busy + machine.idle * TICK_MS }
}

/** The events/s of a burst of `n` events, with what it cost the machine ({@link BurstCpu}). */
async function measured(n: number, burst: (n: number) => Promise<number>): Promise<[number, BurstCpu]> {
  const before = cpuNow()
  const throughput = await burst(n)
  const after = cpuNow()
  const per = (key: 'bench' | 'postgres' | 'rabbitmq') => ((after[key] - before[key]) * 1000) / n
  return [throughput, { bench: per('bench'), postgres: per('postgres'), rabbitmq: per('rabbitmq'), busy: (after.busy - before.busy) / (after.total - before.total) }]
}

/** A fresh schema with the `effects` table the handlers insert into, and a pool of 20 on it (the consumer's). */
async function effectsTable(name: string) {
  const schema = `events_bench_${suffix}_${name}`
  const db = new Kysely<any>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgUrl, max: 20, options: `-c search_path=${schema}` }) }),
  })
  await sql`create schema ${sql.id(schema)}`.execute(db)
  await sql`create table effects (event_id uuid primary key)`.execute(db)
  return {
    db,
    async drop() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db)
      await db.destroy()
    },
  }
}

/**
 * The reference: amqplib publishing with confirms and consuming from a quorum queue. `withEffect`
 * gives its consumer the outbox paths' handler work, one INSERT per event before the ack (on a pool
 * of 20, as many in flight as the prefetch allows), for the like-for-like comparison.
 */
async function bare(withEffect: boolean): Promise<Run> {
  // noDelay as AmqpConnection sets it: with amqplib's default (Nagle on) each confirm waits ~25 ms.
  const conn = await amqp.connect(amqpUrl!, { noDelay: true } as never)
  const pub = await conn.createConfirmChannel()
  const sub = await conn.createChannel()
  const exchange = `bench.bare.${suffix}.${withEffect ? 'effect' : 'ack'}`
  const queue = exchange
  const effects = withEffect ? await effectsTable('bare_effect') : undefined
  await pub.assertExchange(exchange, 'topic', { durable: true })
  await pub.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await pub.bindQueue(queue, exchange, '#')
  await sub.prefetch(64)
  let received = 0
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  await sub.consume(queue, (m) => {
    if (!m) return
    const handled = () => {
      const t0 = sentAt.get(m.properties.messageId)
      if (t0 !== undefined) latencies.push(performance.now() - t0)
      received++
      sub.ack(m)
    }
    if (!effects) return handled()
    sql`insert into effects values (${m.properties.messageId})`.execute(effects.db).then(handled, (err) => {
      console.error('bare consumer: the effect insert failed', err)
      process.exit(1)
    })
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

  const burst = async (n: number) => {
    received = 0
    const t0 = performance.now()
    const inflight: Promise<void>[] = []
    for (let i = 0; i < n; i++) {
      inflight.push(publish(randomUUID(), i))
      if (inflight.length >= 500) await Promise.all(inflight.splice(0))
    }
    await Promise.all(inflight)
    await until('bare consumer', () => received >= n)
    return n / ((performance.now() - t0) / 1000)
  }
  const steady = async (seconds: number) => {
    received = 0
    latencies.length = 0
    await paced(RATE, seconds, (i) => {
      const id = randomUUID()
      sentAt.set(id, performance.now())
      return publish(id, i)
    })
    await until('bare consumer (latency)', () => received >= RATE * seconds)
  }
  await burst(WARMUP_EVENTS)
  await steady(WARMUP_SECONDS)
  const [throughput, burstCpu] = await measured(THROUGHPUT_EVENTS, burst)
  await steady(LATENCY_SECONDS)
  await pub.deleteQueue(queue)
  await pub.deleteExchange(exchange)
  await conn.close()
  await effects?.drop()
  return { throughput, burstCpu, p50: pct(latencies, 50), p99: pct(latencies, 99) } as Run
}

interface Run {
  throughput: number
  burstCpu: BurstCpu
  /** Commit → handler done. */
  p50: number
  p99: number
  /** Producer transaction start → handler done: adds the commit's own wait (NOTIFY's lock). */
  fromBeginP50?: number
  fromBeginP99?: number
  /** Producer transaction start → commit done. */
  commitP50?: number
  commitP99?: number
  cpuMicros?: number
  /** Events/s the producer committed in the latency phase: below the offered rate, the machine could not keep up. */
  achieved?: number
}

/**
 * `consumer`: `ack` only acks, `handleOnce` one transaction per event, `PgInbox` group commit.
 * `wake`: `notify` is the NOTIFY of enqueue (a relay in another process), `local` the relay of the
 * producer's process woken after each commit (`producerDb`, what startServiceBus sets up).
 * `withEffect`: the inbox handlers' own work is one INSERT per event (in the inbox transaction);
 * without it they record the event in the inbox and do nothing else.
 */
async function outbox(consumerKind: 'ack' | 'handleOnce' | 'PgInbox', wake: 'notify' | 'local', withEffect = true): Promise<Run> {
  const name = `${consumerKind.toLowerCase()}_${wake}${consumerKind !== 'ack' && !withEffect ? '_bus' : ''}`
  const schema = `events_bench_${suffix}_${name}`
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
  const exchange = `bench.events.${suffix}.${name}`
  const service = `bench_${suffix}_${name}`
  const connection = new AmqpConnection({ url: amqpUrl!, name: 'events-bench' })
  await connection.start()
  const handledAt = new Map<string, number>()
  let handled = 0
  const inbox = new PgInbox({ db: consumerDb, consumer: service })
  const effect = (id: string) => (trx: Kysely<any>) => sql`insert into effects values (${id})`.execute(trx)
  const noEffect = async () => {}
  const consumer = await startConsumer({
    connection,
    service,
    exchange,
    maxAttempts: 2,
    prefetch: 64,
    handlers: {
      'user.deleted': {
        1: async (event) => {
          if (consumerKind === 'handleOnce') await handleOnce(consumerDb, service, event, withEffect ? effect(event.id) : noEffect)
          if (consumerKind === 'PgInbox') await inbox.handleOnce(event, withEffect ? effect(event.id) : noEffect)
          handledAt.set(event.id, performance.now())
          handled++
        },
      },
    },
  })
  const publisher = new EventPublisher({ connection, service: 'bench', exchange })
  const relay = new PgOutboxRelay({
    db: relayDb,
    ...(wake === 'local' ? { producerDb: db } : { listen: { connectionString: pgUrl } }),
    publisher,
    service: 'bench',
    pollIntervalMs: 1000,
    batchSize: 500,
  })
  await relay.start()

  const burst = async (n: number) => {
    handled = 0
    const t0 = performance.now()
    const perTx = 50
    const writers: Promise<unknown>[] = []
    for (let i = 0; i < n; i += perTx) {
      const events = Array.from({ length: perTx }, () => createEvent('user.deleted', { userId: randomUUID() }, { source: 'bench' }))
      writers.push(db.transaction().execute((trx) => enqueue(trx, events)))
      if (writers.length >= 8) await Promise.all(writers.splice(0))
    }
    await Promise.all(writers)
    await until('outbox consumer', () => handled >= n)
    return n / ((performance.now() - t0) / 1000)
  }
  const steady = async (seconds: number) => {
    handled = 0
    const begun = new Map<string, number>()
    const committed = new Map<string, number>()
    const t0 = performance.now()
    await paced(RATE, seconds, async () => {
      const event = createEvent('user.deleted', { userId: randomUUID() }, { source: 'bench' })
      begun.set(event.id, performance.now())
      await db.transaction().execute((trx) => enqueue(trx, event))
      committed.set(event.id, performance.now())
    })
    const achieved = (RATE * seconds) / ((performance.now() - t0) / 1000)
    await until('outbox consumer (latency)', () => handled >= RATE * seconds)
    return { begun, committed, achieved }
  }
  await burst(WARMUP_EVENTS)
  await steady(WARMUP_SECONDS)
  const [throughput, burstCpu] = await measured(THROUGHPUT_EVENTS, burst)
  const cpu = process.cpuUsage()
  const { begun, committed, achieved } = await steady(LATENCY_SECONDS)
  const { user, system } = process.cpuUsage(cpu)
  // After the run: a handler can finish before the producer's commit callback has run.
  const ids = [...committed.keys()]
  const latencies = ids.map((id) => handledAt.get(id)! - committed.get(id)!)
  const fromBegin = ids.map((id) => handledAt.get(id)! - begun.get(id)!)
  const commits = ids.map((id) => committed.get(id)! - begun.get(id)!)

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
  return {
    throughput,
    burstCpu,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    fromBeginP50: pct(fromBegin, 50),
    fromBeginP99: pct(fromBegin, 99),
    commitP50: pct(commits, 50),
    commitP99: pct(commits, 99),
    cpuMicros: (user + system) / (RATE * LATENCY_SECONDS),
    achieved,
  }
}

/**
 * The producer's commits alone: 16 writers in a closed loop of `begin; insert into outbox; commit`,
 * with and without the `pg_notify` of enqueue, 3 s each, alternating. NOTIFY takes a database-wide
 * lock from the commit's start to its WAL flush, so notifying commits cannot share a flush.
 */
async function commits() {
  const schema = `events_bench_${suffix}_commits`
  const db = new Kysely<any>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgUrl, max: 16, options: `-c search_path=${schema}` }) }),
  })
  await sql`create schema ${sql.id(schema)}`.execute(db)
  await createOutboxTable(db)
  const row = () => {
    const e = createEvent('user.deleted', { userId: randomUUID() }, { source: 'bench' })
    return sql`(${e.id}, ${e.type}, ${JSON.stringify(e)}::jsonb)`
  }
  const insert = sql`insert into outbox (event_id, event_type, envelope) values`
  const run = async (notify: boolean, ms: number) => {
    let n = 0
    const end = performance.now() + ms
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < end) {
          await db.transaction().execute((trx) =>
            notify
              ? sql`with i as (${insert} ${row()}) select pg_notify('lms_outbox_bench', ${schema})`.execute(trx)
              : sql`${insert} ${row()}`.execute(trx),
          )
          n++
        }
      }),
    )
    return n / (ms / 1000)
  }
  await run(false, 1000)
  const result = { notify: [] as number[], none: [] as number[] }
  for (let i = 0; i < 3; i++) {
    for (const notify of i % 2 ? [true, false] : [false, true]) (notify ? result.notify : result.none).push(await run(notify, 3000))
  }
  await sql`drop schema ${sql.id(schema)} cascade`.execute(db)
  await db.destroy()
  return result
}

/**
 * Every path, and the bare loop it is compared with (`versus`): the paths whose handlers insert one
 * row per event against the bare loop that does the same, the others against the bare loop's acks.
 */
const PATHS = {
  bare: { label: 'bare amqplib confirm publish/consume', run: () => bare(false) },
  ack: { label: 'outbox, NOTIFY → consumer (ack only)', run: () => outbox('ack', 'notify') },
  'ack-local': { label: 'outbox, local wake → consumer (ack only)', run: () => outbox('ack', 'local') },
  services: { label: 'outbox, local wake → PgInbox (services\' bus)', run: () => outbox('PgInbox', 'local', false) },
  'bare-effect': { label: 'bare amqplib + 1 INSERT per event', run: () => bare(true) },
  handleOnce: { label: 'outbox, NOTIFY → handleOnce + 1 INSERT', run: () => outbox('handleOnce', 'notify'), versus: 'bare-effect' },
  PgInbox: { label: 'outbox, NOTIFY → PgInbox + 1 INSERT', run: () => outbox('PgInbox', 'notify'), versus: 'bare-effect' },
  'services-effect': { label: 'outbox, local wake → PgInbox + 1 INSERT', run: () => outbox('PgInbox', 'local'), versus: 'bare-effect' },
} satisfies Record<string, { label: string; run: () => Promise<Run>; versus?: string }>
type PathName = keyof typeof PATHS
const versus = (p: PathName): PathName | undefined =>
  p === 'bare' || p === 'bare-effect' ? undefined : ((PATHS[p] as { versus?: PathName }).versus ?? 'bare')

const chosen = (process.env.BENCH_PATHS?.split(',') ?? Object.keys(PATHS)) as PathName[]
for (const p of chosen) if (!(p in PATHS)) throw new Error(`unknown path ${p}; one of ${Object.keys(PATHS).join(', ')}`)
for (const p of [...chosen]) {
  const reference = versus(p)
  if (reference && !chosen.includes(reference)) chosen.unshift(reference)
}
const rounds = Number(process.env.BENCH_ROUNDS ?? 1)
const loadAtStart = os.loadavg()[0]!.toFixed(1)
const runs = new Map<PathName, Run[]>(chosen.map((p) => [p, []]))
for (let round = 0; round < rounds; round++) {
  // Alternating the order spreads a slow phase of a shared machine over all paths.
  for (const p of round % 2 ? [...chosen].reverse() : chosen) runs.get(p)!.push(await PATHS[p].run())
}
/** The run with the median throughput (its latencies with it: one run, not a mix). */
const median = (xs: Run[]) => [...xs].sort((a, b) => a.throughput - b.throughput)[Math.floor(xs.length / 2)]!
const results = new Map(chosen.map((p) => [p, median(runs.get(p)!)]))
/** A path's events/s as a share of its bare loop's, in %. */
const share = (p: PathName) => {
  const reference = versus(p)
  return reference ? (results.get(p)!.throughput / results.get(reference)!.throughput) * 100 : undefined
}
const f = (n: number | undefined, d = 1) => (n === undefined ? '' : n.toFixed(d)).padStart(8)
console.log(
  `\n${THROUGHPUT_EVENTS} events for throughput (after ${WARMUP_EVENTS} to warm up), in transactions of 50, 8 at a time; latency at ${RATE} events/s for ${LATENCY_SECONDS} s, one event per transaction;` +
    ` ${rounds} round(s), each path's median run. % bare = of the bare loop doing the same handler work (+ 1 INSERT: bare-effect; otherwise acks only); commit→ = from the producer's commit to handler done; begin→ = from the producer's \`begin\`; CPU = this process (producer, relay, consumer) per event at ${RATE}/s; committed/s = what the producer achieved of the ${RATE}/s offered\n`,
)
console.log('| path                                            | events/s | % bare   | commit→ p50 | p99    | begin→ p50 | p99    | commit p50 | p99    | CPU µs/ev | committed/s |')
console.log('|-------------------------------------------------|----------|----------|-------------|--------|------------|--------|------------|--------|-----------|-------------|')
for (const [p, r] of results) {
  console.log(
    `| ${PATHS[p].label.padEnd(47)} | ${f(r.throughput, 0)} | ${f(share(p))} | ${f(r.p50).padStart(11)} | ${f(r.p99).padStart(6)} | ${f(r.fromBeginP50).padStart(10)} | ${f(r.fromBeginP99).padStart(6)} | ${f(r.commitP50).padStart(10)} | ${f(r.commitP99).padStart(6)} | ${f(r.cpuMicros, 0).padStart(9)} | ${f(r.achieved, 0).padStart(11)} |`,
  )
}
console.log(
  `\nWhat the ${THROUGHPUT_EVENTS}-event burst cost the machine (same median runs): CPU µs per event of this process (producer, relay, consumer),` +
    ` of all PostgreSQL and all RabbitMQ processes, against the path's bare loop, and how busy the ${os.cpus().length} cores were.` +
    ` Events/s ≈ busy cores / CPU per event: a path that fills every core is bound by its CPU per event, not by one process\n`,
)
console.log('| path                                            | events/s | this process | PostgreSQL | RabbitMQ | sum µs/ev | × bare | cores busy |')
console.log('|-------------------------------------------------|----------|--------------|------------|----------|-----------|--------|------------|')
const cpuSum = ({ burstCpu: c }: Run) => c.bench + c.postgres + c.rabbitmq
for (const [p, r] of results) {
  const reference = versus(p)
  const ratio = reference ? (cpuSum(r) / cpuSum(results.get(reference)!)).toFixed(2) : ''
  const c = r.burstCpu
  console.log(
    `| ${PATHS[p].label.padEnd(47)} | ${f(r.throughput, 0)} | ${f(c.bench, 0).padStart(12)} | ${f(c.postgres, 0).padStart(10)} | ${f(c.rabbitmq, 0)} | ${f(cpuSum(r), 0).padStart(9)} | ${ratio.padStart(6)} | ${`${(100 * c.busy).toFixed(0)} %`.padStart(10)} |`,
  )
}
if (rounds > 1) {
  const each = (p: PathName, pick: (r: Run) => number, d: number) => runs.get(p)!.map((r) => pick(r).toFixed(d)).join('/')
  console.log(`\nevents/s of every round: ${chosen.map((p) => `${p} ${each(p, (r) => r.throughput, 0)}`).join(', ')}`)
  console.log(`commit→ p99 ms of every round: ${chosen.map((p) => `${p} ${each(p, (r) => r.p99, 0)}`).join(', ')}`)
}
const commitRates = await commits()
const rates = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/')
console.log(
  `\nproducer commits/s, 16 writers, begin; insert into outbox; commit: ${rates(commitRates.none)} without NOTIFY (local wake), ${rates(commitRates.notify)} with NOTIFY`,
)
for (const [p, what] of [['services', 'the bus as the services run it (outbox, local wake, PgInbox; handlers without work of their own)'], ['services-effect', 'the same with 1 INSERT per event in the inbox transaction, against the bare loop doing that INSERT']] as const) {
  const r = results.get(p)
  if (!r) continue
  console.log(
    `\n${p}: ${what}: ${share(p)!.toFixed(1)} % of its bare loop's throughput (target ≥ 50 %), ` +
      `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms from commit at ${RATE}/s (target ≤ 50 ms); from begin p99 ${r.fromBeginP99!.toFixed(1)} ms`,
  )
}
console.log(`1-min load average: ${loadAtStart} at start, ${os.loadavg()[0]!.toFixed(1)} at the end, on ${os.cpus().length} CPUs`)
