import { sql, type Kysely } from 'kysely'

/** Read model of the enrollment service's waitlists (enrollment.waitlisted / enrollment.waitlist_left). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('waitlist_entries')
    .addColumn('entry_id', 'uuid', (c) => c.primaryKey())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting', 'left')`))
    .addColumn('pending_version', 'integer')
    .addColumn('notified_version', 'integer')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create index waitlist_entries_course_idx on waitlist_entries (course_id) where status = 'waiting'`.execute(db)
  await sql`create index waitlist_entries_pending_idx on waitlist_entries (course_id, pending_version, entry_id) where pending_version is not null`.execute(db)
  await sql`create index waitlist_entries_user_idx on waitlist_entries (user_id)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('waitlist_entries').ifExists().execute()
}
