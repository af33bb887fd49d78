import { type CompiledQuery, type ControlledTransaction, type DatabaseConnection, type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'
import pg from 'pg'
import type { AnyEventEnvelope, EventEnvelope } from '../catalog/index.js'
import { validateEnvelope } from '../catalog/index.js'
import { type Logger, silentLogger } from './logger.js'
import type { EventMetrics } from './metrics.js'
import type { EventPublisher } from './publisher.js'
import { captureTraceContext, type TraceCarrier } from './trace-context.js'

/** The NOTIFY channel; the payload is the outbox's schema so relays of other services ignore it. */
export const OUTBOX_CHANNEL = 'lms_outbox'

/**
 * Creates the `outbox` table in the connection's current schema. Call it from a migration.
 *
 * @example
 * export async function up(db: Kysely<any>) { await createOutboxTable(db); await createInboxTable(db) }
 */
export async function createOutboxTable(db: Kysely<any>): Promise<void> {
  const raw = db.withoutPlugins()
  await sql`create table if not exists outbox (
    position bigserial primary key,
    event_id uuid not null unique,
    event_type text not null,
    envelope jsonb not null,
    trace_context jsonb,
    created_at timestamptz not null default now(),
    available_at timestamptz not null default now(),
    attempts integer not null default 0,
    last_error text,
    sent_at timestamptz
  )`.execute(raw)
  await sql`create index if not exists outbox_pending_idx on outbox (position) where sent_at is null`.execute(raw)
  await sql`create index if not exists outbox_sent_at_idx on outbox (sent_at) where sent_at is not null`.execute(raw)
}

/**
 * Relays to wake in this process, by the adapter of the Kysely their service enqueues through
 * (`producerDb`): every Kysely derived from one (its transactions, `withPlugin`, `withoutPlugins`)
 * shares that adapter, and no other Kysely does. Weak references only: no client is kept here.
 */
const localRelays = new WeakMap<object, Set<PgOutboxRelay>>()
/** Connections whose open transaction enqueued, and the relays to wake once it commits. */
const awaitingCommit = new WeakMap<DatabaseConnection, Set<PgOutboxRelay>>()
const watchedConnections = new WeakSet<DatabaseConnection>()

/**
 * How the relays learn of rows written through `db`: the relays of this process that `db` wakes
 * after its commit, or (none) the NOTIFY for the statement's select list. NOTIFY takes a
 * database-wide lock from the commit's start until its WAL flush, which serialises every
 * notifying commit of every service, so it is left to producers without a relay of their own.
 */
function signalOf(db: Transaction<any> | Kysely<any>) {
  const relays = localRelays.get(db.getExecutor().adapter)
  return relays?.size ? { relays: [...relays], select: sql`1` } : { relays: undefined, select: sql`pg_notify(${OUTBOX_CHANNEL}, current_schema())` }
}

/** Wakes `relays` once the transaction `db` runs in commits (at once outside a transaction). */
async function wakeAfterCommit(db: Transaction<any> | Kysely<any>, relays: PgOutboxRelay[]): Promise<void> {
  if (!db.isTransaction) {
    wake(relays)
    return
  }
  await db.getExecutor().provideConnection(async (connection) => {
    const waiting = awaitingCommit.get(connection) ?? new Set<PgOutboxRelay>()
    for (const relay of relays) waiting.add(relay)
    awaitingCommit.set(connection, waiting)
    watchCommits(connection)
  })
}

/**
 * Wraps the connection's `executeQuery` once: Kysely ends every transaction (`transaction().execute`,
 * `startTransaction()`) with a plain `commit` or `rollback` on it, so this sees the commit without
 * the service calling anything.
 */
function watchCommits(connection: DatabaseConnection): void {
  if (watchedConnections.has(connection)) return
  watchedConnections.add(connection)
  const execute = connection.executeQuery.bind(connection)
  connection.executeQuery = (async (query: CompiledQuery) => {
    const relays = awaitingCommit.get(connection)
    const end = relays ? query.sql.trim().toLowerCase() : ''
    if (end !== 'commit' && end !== 'rollback') return execute(query)
    awaitingCommit.delete(connection)
    const result = await execute(query)
    if (end === 'commit') wake(relays!)
    return result
  }) as DatabaseConnection['executeQuery']
}

/**
 * In the next turn of the event loop, as a NOTIFY would arrive: the relay's claim then starts after
 * the committing caller went on (answered its request), not in between.
 */
function wake(relays: Iterable<PgOutboxRelay>): void {
  setImmediate(() => {
    for (const relay of relays) relay.notify()
  })
}

/**
 * Writes events to the outbox inside the caller's transaction, with the active trace context.
 * The relays learn of them on commit: a relay of this process started with this Kysely as its
 * `producerDb` (startServiceBus does that) is woken in-process right after the commit; without
 * one, a NOTIFY (delivered on commit) wakes the relays listening. Throws `EventValidationError`
 * before writing anything invalid.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   const user = await insertUser(trx, input)
 *   await enqueue(trx, createEvent('user.registered', { userId: user.id, ... }, { source: 'user' }))
 * })
 */
export async function enqueue(
  trx: Transaction<any> | Kysely<any>,
  events: EventEnvelope | AnyEventEnvelope | Array<EventEnvelope | AnyEventEnvelope>,
): Promise<void> {
  const values = outboxValues(events)
  if (!values) return
  const signal = signalOf(trx)
  // One round trip: a data-modifying WITH runs to completion even though nothing reads it.
  await sql`with inserted as (insert into outbox (event_id, event_type, envelope, trace_context) values ${values})
    select ${signal.select}`.execute(trx.withoutPlugins())
  if (signal.relays) await wakeAfterCommit(trx, signal.relays)
}

/**
 * Like {@link enqueue}, but folded into the caller's own data-modifying statement, so that a single
 * write and its events need no transaction (saving `begin` and `commit`): `write` (an `update … returning`,
 * an `insert … returning`) runs, and the events are written and the relay notified only if it returned a
 * row, all in one statement, which is atomic by itself. Resolves whether `write` returned a row.
 *
 * @example
 * const saved = await enqueueWith(db, sql`update orders set status = 'paid' where id = ${id} and status = 'open' returning id`,
 *   createEvent('order.paid', { orderId: id }, { source: 'order' }))
 * if (!saved) throw conflict()
 */
export async function enqueueWith(
  db: Transaction<any> | Kysely<any>,
  write: RawBuilder<unknown>,
  events: EventEnvelope | AnyEventEnvelope | Array<EventEnvelope | AnyEventEnvelope>,
): Promise<boolean> {
  const values = outboxValues(events)
  const raw = db.withoutPlugins()
  if (!values) return (await sql`with written as (${write}) select 1 from written limit 1`.execute(raw)).rows.length > 0
  const signal = signalOf(db)
  const { rows } = await sql`with written as (${write}),
    inserted as (insert into outbox (event_id, event_type, envelope, trace_context)
      select * from (values ${values}) as v (event_id, event_type, envelope, trace_context) where exists (select 1 from written))
    select ${signal.select} from written limit 1`.execute(raw)
  if (rows.length > 0 && signal.relays) await wakeAfterCommit(db, signal.relays)
  return rows.length > 0
}

/** The outbox rows of validated events with the active trace context (typed, so a `select` from `values` works too). */
function outboxValues(events: EventEnvelope | AnyEventEnvelope | Array<EventEnvelope | AnyEventEnvelope>) {
  const list = Array.isArray(events) ? events : [events]
  if (list.length === 0) return undefined
  for (const e of list) validateEnvelope(e)
  const carrier = captureTraceContext()
  const traceJson = Object.keys(carrier).length ? JSON.stringify(carrier) : null
  return sql.join(list.map((e) => sql`(${e.id}::uuid, ${e.type}::text, ${JSON.stringify(e)}::jsonb, ${traceJson}::jsonb)`))
}

/** Options of {@link PgOutboxRelay}. */
export interface PgOutboxRelayOptions {
  /**
   * A Kysely whose search_path points at the schema holding `outbox`. Give the relay its own small
   * pool (2–3 connections): sharing the request pool makes it queue behind producer transactions
   * exactly when the backlog grows.
   */
  db: Kysely<any>
  publisher: EventPublisher
  /** Service name (metrics label, logs). */
  service: string
  /** Connection settings for a dedicated LISTEN connection; without it the relay only polls. */
  listen?: pg.ClientConfig
  /**
   * The Kysely this process enqueues through (the service's `db`). While the relay runs, `enqueue`
   * through it or any of its transactions wakes the relay right after the commit instead of
   * sending NOTIFY. Relays in other processes learn of those rows only by polling then (or from a
   * NOTIFY of an enqueue elsewhere), so give every producing process its own relay.
   */
  producerDb?: Kysely<any>
  /** Poll fallback interval. Default 1000 ms. */
  pollIntervalMs?: number
  /** Rows claimed per statement. Default 200. */
  batchSize?: number
  /** How long sent rows are kept. Default 7 days. */
  retentionMs?: number
  /** How often sent rows are pruned and the backlog gauges refreshed. Default 60 s / 5 s. */
  pruneIntervalMs?: number
  metricsIntervalMs?: number
  /**
   * Relay transactions open at once, each holding a connection: the one claiming rows and those
   * awaiting their confirms before they commit. Default 2.
   */
  maxInFlightBatches?: number
  /** How long one transaction keeps claiming before the next one takes over (when a slot is free). Default 100 ms. */
  windowMs?: number
  /** While rows keep arriving, the least time between two claims (the most it adds to latency). Default 5 ms. */
  claimIntervalMs?: number
  /** Published rows awaiting their confirm at most; the relay claims no more until some settle. Default 2 × batchSize. */
  maxUnconfirmed?: number
  /** Delay before a failed row is tried again: min(max, base * 2^attempts). */
  retryBaseMs?: number
  retryMaxMs?: number
  metrics?: EventMetrics
  logger?: Logger
}

interface OutboxRow {
  position: string
  envelope: AnyEventEnvelope
  trace_context: TraceCarrier | null
}

interface WindowHooks {
  published(): void
  settled(): void
}

interface WindowResult {
  sent: number
  failed: number
}

/**
 * One relay transaction. Each claim locks pending rows (`FOR UPDATE SKIP LOCKED`) and marks them
 * sent in the same statement, so the next claim skips them without waiting for their confirms;
 * the rows are published at once, in position order. {@link close} waits until every publish
 * settled, returns the failed rows to pending with a backoff, and commits: the sent marks become
 * visible only after the broker confirmed, and a crash before the commit rolls them back (the rows
 * are sent again; the inbox absorbs the duplicates).
 */
class RelayWindow {
  readonly openedAt = Date.now()
  unconfirmed = 0
  /** Set when a statement failed: the transaction is aborted and {@link close} rolls it back. */
  broken = false
  private sent = 0
  private readonly failed: Array<{ position: string; error: string }> = []
  private readonly publishes: Array<Promise<void>> = []

  private constructor(
    private readonly trx: ControlledTransaction<any>,
    private readonly options: PgOutboxRelayOptions,
    private readonly hooks: WindowHooks,
  ) {}

  static async open(raw: Kysely<any>, options: PgOutboxRelayOptions, hooks: WindowHooks): Promise<RelayWindow> {
    return new RelayWindow(await raw.startTransaction().execute(), options, hooks)
  }

  /** Claims up to `limit` pending rows and publishes them (without awaiting the confirms); returns how many it claimed. */
  async claim(limit: number): Promise<number> {
    let rows: OutboxRow[]
    try {
      // statement_timestamp(): now() would be the start of this possibly long transaction.
      const r = await sql<OutboxRow>`with claimed as (
          select position from outbox where sent_at is null and available_at <= statement_timestamp()
          order by position limit ${limit} for update skip locked)
        update outbox set sent_at = statement_timestamp() from claimed where outbox.position = claimed.position
        returning outbox.position, outbox.envelope, outbox.trace_context`.execute(this.trx)
      rows = r.rows
    } catch (err) {
      this.broken = true
      throw err
    }
    // RETURNING has no order; the broker must receive the rows in outbox order (one channel).
    rows.sort((a, b) => Number(a.position) - Number(b.position))
    for (const row of rows) {
      this.unconfirmed++
      this.hooks.published()
      this.publishes.push(
        this.options.publisher.publish(row.envelope, { traceContext: row.trace_context }).then(
          () => {
            this.sent++
            this.settle()
          },
          (err: unknown) => {
            this.failed.push({ position: row.position, error: String((err as Error)?.message ?? err) })
            this.settle()
          },
        ),
      )
    }
    return rows.length
  }

  /** Waits for every publish, returns failed rows to pending and commits; never throws. */
  async close(logger: Logger): Promise<WindowResult> {
    await Promise.all(this.publishes)
    try {
      if (this.broken) throw new Error('a relay statement failed; its transaction is rolled back')
      if (this.failed.length) {
        const base = this.options.retryBaseMs ?? 200
        const max = this.options.retryMaxMs ?? 30_000
        await sql`update outbox set sent_at = null, attempts = attempts + 1, last_error = f.error,
            available_at = statement_timestamp() + make_interval(secs => least(${max}::float8, ${base}::float8 * power(2, attempts)) / 1000)
          from (select unnest(${this.failed.map((f) => f.position)}::bigint[]) as position, unnest(${this.failed.map((f) => f.error)}::text[]) as error) f
          where outbox.position = f.position`.execute(this.trx)
        logger.warn({ failed: this.failed.length, firstError: this.failed[0]?.error }, 'outbox rows left pending')
      }
      // Losing this commit in a database crash only re-sends rows (the inbox absorbs duplicates),
      // so the relay does not wait for the WAL flush.
      await sql`set local synchronous_commit = off`.execute(this.trx)
      await this.trx.commit().execute()
      return { sent: this.sent, failed: this.failed.length }
    } catch (err) {
      await this.trx.rollback().execute().catch(() => {})
      if (this.sent) logger.warn({ err, rows: this.sent }, 'outbox relay transaction failed; its published rows will be sent again')
      return { sent: 0, failed: this.sent + this.failed.length }
    }
  }

  private settle(): void {
    this.unconfirmed--
    this.hooks.settled()
  }
}

/**
 * Publishes pending outbox rows in order and marks them sent. Wakes right after the commits of
 * `producerDb` in this process, on LISTEN/NOTIFY for other producers, with a poll fallback; claims rows with `FOR UPDATE SKIP LOCKED`, so several replicas share the work without
 * sending a row twice. Claiming does not wait for earlier rows' confirms: a transaction keeps
 * claiming for `windowMs` while its rows are confirmed, and commits their sent marks once all are.
 * A row whose publish fails (broker down, unroutable) stays pending and is retried with backoff.
 * Sent rows are pruned after the retention period.
 *
 * @example
 * const relay = new PgOutboxRelay({ db: relayDb, producerDb: db, publisher, service: 'user', listen: { connectionString: config.DATABASE_URL }, metrics, logger })
 * await relay.start()
 * // on shutdown: flushes what is pending, then stops
 * await relay.stop()
 */
export class PgOutboxRelay {
  private running = false
  private loop: Promise<void> | undefined
  private wake: (() => void) | undefined
  private woken = false
  private idle = false
  private listener: pg.Client | undefined
  private schema = 'public'
  private timers: NodeJS.Timeout[] = []
  /** The transaction taking claims, and those committing. */
  private window: RelayWindow | undefined
  private readonly closing = new Set<Promise<WindowResult>>()
  private unconfirmed = 0
  private settledWaiters: Array<() => void> = []
  private readonly logger: Logger
  private readonly raw: Kysely<any>

  constructor(private readonly options: PgOutboxRelayOptions) {
    this.logger = options.logger ?? silentLogger
    this.raw = options.db.withoutPlugins()
  }

  /** Starts listening and relaying. */
  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    const r = await sql<{ schema: string }>`select current_schema() as schema`.execute(this.raw)
    this.schema = r.rows[0]?.schema ?? 'public'
    if (this.options.listen) await this.connectListener()
    const producer = this.producerAdapter()
    if (producer) localRelays.set(producer, (localRelays.get(producer) ?? new Set<PgOutboxRelay>()).add(this))
    this.timers.push(
      setInterval(
        () => void this.prune().catch((err) => this.logger.warn({ err }, 'outbox prune failed')),
        this.options.pruneIntervalMs ?? 60_000,
      ),
    )
    if (this.options.metrics) {
      this.timers.push(setInterval(() => void this.refreshMetrics().catch(() => {}), this.options.metricsIntervalMs ?? 5000))
    }
    this.loop = this.run()
  }

  /** Wakes the relay now (useful in-process right after a commit). */
  notify(): void {
    this.woken = true
    this.wake?.()
  }

  /** Publishes every pending row once, in order; returns how many were sent. */
  async drain(): Promise<number> {
    const batchSize = this.options.batchSize ?? 200
    const window = await this.openWindow()
    try {
      while ((await window.claim(batchSize)) === batchSize) await this.belowUnconfirmedLimit()
    } catch (err) {
      this.logger.warn({ err }, 'outbox drain failed')
    }
    return (await window.close(this.logger)).sent
  }

  /** The key `enqueue` finds this relay under: the adapter every Kysely derived from `producerDb` shares. */
  private producerAdapter(): object | undefined {
    return this.options.producerDb?.getExecutor().adapter
  }

  /** Stops the loop after a final flush and closes the LISTEN connection. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    // From here on the producer's commits NOTIFY again; the final flush below takes what came before.
    const producer = this.producerAdapter()
    if (producer) localRelays.get(producer)?.delete(this)
    for (const t of this.timers) clearInterval(t)
    this.timers = []
    this.notify()
    await this.loop
    await this.drain().catch((err) => this.logger.warn({ err }, 'outbox final flush failed'))
    await this.refreshMetrics().catch(() => {})
    const l = this.listener
    this.listener = undefined
    if (l) await l.end().catch(() => {})
  }

  /** Deletes sent rows older than the retention period. */
  async prune(): Promise<number> {
    const retention = (this.options.retentionMs ?? 7 * 24 * 3600_000) / 1000
    const r = await sql`delete from outbox where sent_at is not null and sent_at < now() - make_interval(secs => ${retention})`.execute(
      this.raw,
    )
    return Number(r.numAffectedRows ?? 0)
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 200
    const interval = this.options.claimIntervalMs ?? 5
    let failures = 0
    let lastClaim = 0
    while (this.running) {
      let claimed = 0
      try {
        await this.belowUnconfirmedLimit()
        const window = await this.claimingWindow()
        lastClaim = Date.now()
        claimed = await window.claim(batchSize)
        failures = 0
      } catch (err) {
        this.logger.warn({ err }, 'outbox relay round failed')
        if (this.window?.broken) this.retire(this.window)
        failures++
      }
      if (claimed === batchSize) continue
      const wait = failures ? Math.min(5000, 100 * 2 ** Math.min(failures, 6)) : (this.options.pollIntervalMs ?? 1000)
      this.idle = true
      this.retireIfSettled()
      await this.sleep(wait, failures === 0)
      // While rows keep coming, rows committed in the meantime are claimed together: one statement
      // per interval instead of one per commit.
      const linger = claimed > 0 ? lastClaim + interval - Date.now() : 0
      if (linger > 0 && this.running) await new Promise((resolve) => setTimeout(resolve, linger))
      this.idle = false
    }
    if (this.window) this.retire(this.window)
    await Promise.all(this.closing)
  }

  /** The transaction to claim in: the current one, or a new one once the current is `windowMs` old and a slot is free. */
  private async claimingWindow(): Promise<RelayWindow> {
    const maxInFlight = this.options.maxInFlightBatches ?? 2
    const current = this.window
    if (current) {
      const old = Date.now() - current.openedAt >= (this.options.windowMs ?? 100)
      if (!old || this.closing.size + 1 >= maxInFlight) return current
      this.retire(current)
    }
    while (this.closing.size >= maxInFlight) await Promise.race(this.closing)
    this.window = await this.openWindow()
    return this.window
  }

  private openWindow(): Promise<RelayWindow> {
    return RelayWindow.open(this.raw, this.options, {
      published: () => this.unconfirmed++,
      settled: () => {
        this.unconfirmed--
        const waiters = this.settledWaiters
        this.settledWaiters = []
        for (const w of waiters) w()
        if (this.idle) this.retireIfSettled()
      },
    })
  }

  /** While idle, commits the current transaction as soon as its rows are confirmed. */
  private retireIfSettled(): void {
    if (this.window && this.window.unconfirmed === 0) this.retire(this.window)
  }

  private retire(window: RelayWindow): void {
    if (this.window === window) this.window = undefined
    const closed = window.close(this.logger)
    this.closing.add(closed)
    void closed.finally(() => this.closing.delete(closed))
  }

  private async belowUnconfirmedLimit(): Promise<void> {
    const max = this.options.maxUnconfirmed ?? 2 * (this.options.batchSize ?? 200)
    while (this.unconfirmed >= max) await new Promise<void>((resolve) => this.settledWaiters.push(resolve))
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (!this.running) return Promise.resolve()
    if (wakeable && this.woken) {
      this.woken = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer)
        this.wake = undefined
        this.woken = false
        resolve()
      }
      const timer = setTimeout(finish, ms)
      this.wake = () => {
        if (wakeable || !this.running) finish()
      }
    })
  }

  /** Refreshes the backlog and oldest-pending-age gauges now (they also refresh on a timer). */
  async refreshMetrics(): Promise<void> {
    const m = this.options.metrics
    if (!m) return
    const r = await sql<{ backlog: string; age: number | null }>`select count(*) as backlog,
      extract(epoch from now() - min(created_at))::float8 as age from outbox where sent_at is null`.execute(this.raw)
    m.outboxBacklog.set({ service: this.options.service }, Number(r.rows[0]?.backlog ?? 0))
    m.outboxOldestPendingAge.set({ service: this.options.service }, r.rows[0]?.age ?? 0)
  }

  private async connectListener(): Promise<void> {
    const client = new pg.Client(this.options.listen)
    client.on('notification', (n) => {
      if (n.channel === OUTBOX_CHANNEL && n.payload === this.schema) this.notify()
    })
    client.on('error', (err) => {
      this.logger.warn({ err }, 'outbox LISTEN connection lost; polling until it is back')
      if (this.listener === client) this.listener = undefined
      client.end().catch(() => {})
      setTimeout(() => {
        if (this.running) void this.connectListener().catch((e) => this.logger.warn({ err: e }, 'outbox LISTEN reconnect failed'))
      }, 1000)
    })
    await client.connect()
    await client.query(`listen ${OUTBOX_CHANNEL}`)
    this.listener = client
  }
}
