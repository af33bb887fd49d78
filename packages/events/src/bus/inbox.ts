import { type Context, context } from '@opentelemetry/api'
import { type Kysely, sql, type Transaction } from 'kysely'
import type { EventEnvelope, EventType } from '../catalog/index.js'

/**
 * Creates the `inbox` table (consumer, event id) in the connection's current schema. Call it from a migration.
 *
 * @example
 * export async function up(db: Kysely<any>) { await createInboxTable(db) }
 */
export async function createInboxTable(db: Kysely<any>): Promise<void> {
  await sql`create table if not exists inbox (
    consumer text not null,
    event_id uuid not null,
    event_type text not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, event_id)
  )`.execute(db.withoutPlugins())
  await sql`create index if not exists inbox_processed_at_idx on inbox (processed_at)`.execute(db.withoutPlugins())
}

/**
 * Runs `effects` and records (consumer, event id) in one transaction. A second delivery of the same
 * event finds the record and skips the effects: it resolves `'duplicate'` (ack it), otherwise `'applied'`.
 * If `effects` throws, nothing is recorded and the error propagates (the consumer retries).
 *
 * @example
 * handlers: { 'user.deleted': { 1: (event) => handleOnce(db, 'enrollment', event, (trx) => dropUser(trx, event.data.userId)) } }
 */
export async function handleOnce<DB, T extends EventType>(
  db: Kysely<DB>,
  consumer: string,
  event: Pick<EventEnvelope<T>, 'id' | 'type'>,
  effects: (trx: Transaction<DB>) => Promise<unknown>,
): Promise<'applied' | 'duplicate'> {
  return db.transaction().execute(async (trx) => {
    const inserted = await sql<{ event_id: string }>`insert into inbox (consumer, event_id, event_type)
      values (${consumer}, ${event.id}, ${event.type}) on conflict do nothing returning event_id`.execute(trx.withoutPlugins())
    if (inserted.rows.length === 0) return 'duplicate'
    await effects(trx)
    return 'applied'
  })
}

/** Options of {@link PgInbox}. */
export interface PgInboxOptions<DB> {
  db: Kysely<DB>
  /** The consuming service (the inbox's `consumer` column). */
  consumer: string
  /** Events applied in one transaction at most. Default 32. */
  maxBatch?: number
  /** Transactions open at once, i.e. connections it takes from `db`'s pool. Default 4. */
  concurrency?: number
}

interface Pending<DB> {
  event: Pick<EventEnvelope<EventType>, 'id' | 'type'>
  effects: (trx: Transaction<DB>) => Promise<unknown>
  context: Context
  resolve: (outcome: 'applied' | 'duplicate') => void
  reject: (err: unknown) => void
}

/**
 * {@link handleOnce} with group commit: events that arrive while its transactions are busy are
 * applied together, one inbox insert and one commit (one WAL flush) for the lot, each effect in
 * arrival order. Every call still resolves only after the commit that holds its effects and inbox
 * record, so the consumer acks after the commit. If an effect or the commit fails, nothing of the
 * batch is kept and each event of it runs again alone: only the failing one rejects (its effects
 * may therefore run twice, but commit once, like a retried `handleOnce`).
 *
 * @example
 * const inbox = new PgInbox({ db, consumer: 'enrollment' })
 * handlers: { 'user.deleted': { 1: (event) => inbox.handleOnce(event, (trx) => dropUser(trx, event.data.userId)) } }
 */
export class PgInbox<DB> {
  private queue: Array<Pending<DB>> = []
  private active = 0
  private scheduled = false

  constructor(private readonly options: PgInboxOptions<DB>) {}

  /** Applies `effects` and records the event once; resolves `'duplicate'` for an event already recorded. */
  handleOnce<T extends EventType>(
    event: EventEnvelope<T>,
    effects: (trx: Transaction<DB>) => Promise<unknown>,
  ): Promise<'applied' | 'duplicate'> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, effects, context: context.active(), resolve, reject })
      if (this.scheduled) return
      // Deliveries handed over in the same tick join one batch.
      this.scheduled = true
      queueMicrotask(() => {
        this.scheduled = false
        this.pump()
      })
    })
  }

  private pump(): void {
    while (this.active < (this.options.concurrency ?? 4) && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 32)
      this.active++
      void this.apply(batch).finally(() => {
        this.active--
        this.pump()
      })
    }
  }

  private async apply(batch: Array<Pending<DB>>): Promise<void> {
    const { db, consumer } = this.options
    try {
      const outcomes = await db.transaction().execute(async (trx) => {
        const inserted = await sql<{ event_id: string }>`insert into inbox (consumer, event_id, event_type)
          select ${consumer}, id, type from unnest(${batch.map((p) => p.event.id)}::uuid[], ${batch.map((p) => p.event.type)}::text[]) as e(id, type)
          on conflict do nothing returning event_id`.execute(trx.withoutPlugins())
        const fresh = new Set(inserted.rows.map((r) => r.event_id))
        const result: Array<'applied' | 'duplicate'> = []
        for (const p of batch) {
          // A redelivery in the same batch is a duplicate too: only its first occurrence applies.
          if (!fresh.delete(p.event.id.toLowerCase())) {
            result.push('duplicate')
            continue
          }
          await context.with(p.context, () => p.effects(trx))
          result.push('applied')
        }
        return result
      })
      batch.forEach((p, i) => p.resolve(outcomes[i]!))
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err)
      for (const p of batch) {
        await context.with(p.context, () => handleOnce(db, consumer, p.event, p.effects)).then(p.resolve, p.reject)
      }
    }
  }
}

/**
 * Deletes inbox records older than `olderThanMs` (keep it far above the longest possible redelivery delay).
 *
 * @example
 * await pruneInbox(db, 30 * 24 * 3600_000)
 */
export async function pruneInbox(db: Kysely<any>, olderThanMs: number): Promise<number> {
  const r = await sql`delete from inbox where processed_at < now() - make_interval(secs => ${olderThanMs / 1000})`.execute(
    db.withoutPlugins(),
  )
  return Number(r.numAffectedRows ?? 0)
}
