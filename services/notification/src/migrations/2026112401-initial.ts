import { sql, type Kysely } from 'kysely'
import { createInboxTable, createOutboxTable } from '@lms/events'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('in_app', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('read_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create index notifications_user_idx on notifications (user_id, id desc)`.execute(db)
  await sql`create index notifications_unread_idx on notifications (user_id) where read_at is null and in_app`.execute(db)

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('notification_id', 'uuid', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('in_app', 'email')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'sent', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create index deliveries_notification_idx on deliveries (notification_id)`.execute(db)
  await sql`create index deliveries_queue_idx on deliveries (priority, next_attempt_at) where status = 'queued' and channel = 'email'`.execute(db)

  await db.schema
    .createTable('preferences')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('preferences_pkey', ['user_id', 'type', 'channel'])
    .execute()

  await db.schema
    .createTable('user_contacts')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create index user_contacts_role_idx on user_contacts (role, user_id)`.execute(db)

  await db.schema
    .createTable('courses')
    .addColumn('course_id', 'uuid', (c) => c.primaryKey())
    .addColumn('instructor_id', 'uuid', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('course_students')
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('course_students_pkey', ['course_id', 'user_id'])
    .execute()
  await sql`create index course_students_user_idx on course_students (user_id)`.execute(db)

  await createOutboxTable(db)
  await createInboxTable(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['deliveries', 'notifications', 'preferences', 'user_contacts', 'courses', 'course_students', 'outbox', 'inbox']) {
    await db.schema.dropTable(table).ifExists().cascade().execute()
  }
}
