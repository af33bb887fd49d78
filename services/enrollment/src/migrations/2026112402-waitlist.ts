import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('waitlist_entries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting', 'promoted')`))
    .addColumn('enrollment_id', 'uuid', (c) => c.references('enrollments.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('promoted_at', 'timestamptz')
    .execute()
  // One waiting entry per user and course; the queue is read in id (UUIDv7, time) order.
  await sql`create unique index waitlist_entries_user_course_waiting_key on waitlist_entries (user_id, course_id) where status = 'waiting'`.execute(db)
  await sql`create index waitlist_entries_course_waiting_idx on waitlist_entries (course_id, id) where status = 'waiting'`.execute(db)
  await sql`create index waitlist_entries_user_idx on waitlist_entries (user_id, id desc)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('waitlist_entries').ifExists().execute()
}
