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
  event: EventEnvelope<T>,
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
