import type { Kysely } from 'kysely'

/**
 * One row per person who has been notified. `createNotifications` locks the
 * recipients' rows (inserting them on first use) before it takes new ids, so a
 * person's notifications commit in id order and a stream resumed from a
 * Last-Event-ID never skips one whose transaction committed late.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_streams')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_streams').ifExists().execute()
}
