import { type Kysely, sql, type Transaction } from 'kysely'
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
 * Writes events to the outbox inside the caller's transaction, with the active trace context,
 * and NOTIFYs the relay (delivered on commit). Throws `EventValidationError` before writing anything invalid.
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
  const list = Array.isArray(events) ? events : [events]
  if (list.length === 0) return
  for (const e of list) validateEnvelope(e)
  const carrier = captureTraceContext()
  const traceJson = Object.keys(carrier).length ? JSON.stringify(carrier) : null
  const raw = trx.withoutPlugins()
  const values = list.map((e) => sql`(${e.id}, ${e.type}, ${JSON.stringify(e)}::jsonb, ${traceJson}::jsonb)`)
  await sql`insert into outbox (event_id, event_type, envelope, trace_context) values ${sql.join(values)}`.execute(raw)
  await sql`select pg_notify(${OUTBOX_CHANNEL}, current_schema())`.execute(raw)
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
  /** Poll fallback interval. Default 1000 ms. */
  pollIntervalMs?: number
  /** Rows claimed per round. Default 200. */
  batchSize?: number
  /** How long sent rows are kept. Default 7 days. */
  retentionMs?: number
  /** How often sent rows are pruned and the backlog gauges refreshed. Default 60 s / 5 s. */
  pruneIntervalMs?: number
  metricsIntervalMs?: number
  /** Batches published while earlier ones await their confirms and commit. Default 2. */
  maxInFlightBatches?: number
  /** Delay before a failed row is tried again: min(max, base * 2^attempts). */
  retryBaseMs?: number
  retryMaxMs?: number
  metrics?: EventMetrics
  logger?: Logger
}

interface RoundResult {
  sent: number
  claimed: number
  failed: boolean
}

interface OutboxRow {
  position: string
  envelope: AnyEventEnvelope
  trace_context: TraceCarrier | null
}

/**
 * Publishes pending outbox rows in order and marks them sent. Wakes on LISTEN/NOTIFY with a poll
 * fallback; claims rows with `FOR UPDATE SKIP LOCKED`, so several replicas share the work without
 * sending a row twice. A row whose publish fails (broker down, unroutable) stays pending and is
 * retried with backoff. Sent rows are pruned after the retention period.
 *
 * @example
 * const relay = new PgOutboxRelay({ db, publisher, service: 'user', listen: { connectionString: config.DATABASE_URL }, metrics, logger })
 * await relay.start()
 * // on shutdown: flushes what is pending, then stops
 * await relay.stop()
 */
export class PgOutboxRelay {
  private running = false
  private loop: Promise<void> | undefined
  private wake: (() => void) | undefined
  private woken = false
  private listener: pg.Client | undefined
  private schema = 'public'
  private timers: NodeJS.Timeout[] = []
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
    let total = 0
    for (;;) {
      const { sent, claimed } = await this.relayBatch()
      total += sent
      if (claimed < (this.options.batchSize ?? 200) || sent === 0) return total
    }
  }

  /** Stops the loop after a final flush and closes the LISTEN connection. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
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
    let failures = 0
    const rounds = new Set<Promise<RoundResult>>()
    const maxInFlight = this.options.maxInFlightBatches ?? 2
    while (this.running) {
      let dispatched!: () => void
      const handedOff = new Promise<'dispatched'>((resolve) => {
        dispatched = () => resolve('dispatched')
      })
      const round: Promise<RoundResult> = this.relayBatch(dispatched).catch((err) => {
        this.logger.warn({ err }, 'outbox relay round failed')
        return { sent: 0, claimed: 0, failed: true }
      })
      rounds.add(round)
      void round.finally(() => rounds.delete(round))
      const first = await Promise.race([handedOff, round])
      if (first === 'dispatched') {
        // The claimed rows are on the channel; the next batch may be claimed while this one
        // waits for its confirms and commit. Publishes stay in outbox order on the one channel.
        while (rounds.size >= maxInFlight) await Promise.race(rounds)
        continue
      }
      failures = first.failed ? failures + 1 : 0
      if (!first.failed && first.claimed > 0) continue
      const wait = failures ? Math.min(5000, 100 * 2 ** Math.min(failures, 6)) : (this.options.pollIntervalMs ?? 1000)
      await this.sleep(wait, failures === 0)
    }
    await Promise.all(rounds)
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

  private async relayBatch(dispatched?: () => void): Promise<RoundResult> {
    const batchSize = this.options.batchSize ?? 200
    return this.raw.transaction().execute(async (trx) => {
      // Losing this commit in a database crash only re-sends rows (the inbox absorbs duplicates),
      // so the relay does not wait for the WAL flush.
      await sql`set local synchronous_commit = off`.execute(trx)
      const rows = await sql<OutboxRow>`select position, envelope, trace_context from outbox
        where sent_at is null and available_at <= now()
        order by position limit ${batchSize} for update skip locked`.execute(trx)
      if (rows.rows.length === 0) return { sent: 0, claimed: 0, failed: false }
      // Published back to back on one channel, so the broker receives them in outbox order.
      const results = await Promise.allSettled(
        (() => {
          const publishes = rows.rows.map((row) => this.options.publisher.publish(row.envelope, { traceContext: row.trace_context }))
          dispatched?.()
          return publishes
        })(),
      )
      const sent: string[] = []
      const failed: Array<{ position: string; error: string }> = []
      results.forEach((r, i) => {
        const position = rows.rows[i]!.position
        if (r.status === 'fulfilled') sent.push(position)
        else failed.push({ position, error: String((r.reason as Error)?.message ?? r.reason) })
      })
      if (sent.length) await sql`update outbox set sent_at = now() where position = any(${sent}::bigint[])`.execute(trx)
      if (failed.length) {
        const base = this.options.retryBaseMs ?? 200
        const max = this.options.retryMaxMs ?? 30_000
        await sql`update outbox set attempts = attempts + 1, last_error = f.error,
            available_at = now() + make_interval(secs => least(${max}::float8, ${base}::float8 * power(2, attempts)) / 1000)
          from (select unnest(${failed.map((f) => f.position)}::bigint[]) as position, unnest(${failed.map((f) => f.error)}::text[]) as error) f
          where outbox.position = f.position`.execute(trx)
        this.logger.warn({ failed: failed.length, firstError: failed[0]?.error }, 'outbox rows left pending')
      }
      return { sent: sent.length, claimed: rows.rows.length, failed: failed.length > 0 }
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
