import { sql, type Kysely } from 'kysely'
import { createInboxTable, createOutboxTable } from '@lms/events'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('courses')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'published', 'archived')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('instructor_id', 'uuid', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.check(sql`capacity >= 0`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('outline', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('course_assessments')
    .addColumn('assessment_id', 'uuid', (c) => c.primaryKey())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('required', 'boolean', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
  await db.schema.createIndex('course_assessments_course_idx').on('course_assessments').column('course_id').execute()

  await db.schema
    .createTable('assessment_passes')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('assessment_id', 'uuid', (c) => c.notNull())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('passed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('assessment_passes_pkey', ['user_id', 'assessment_id'])
    .execute()

  await db.schema
    .createTable('enrollments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'completed', 'dropped')`))
    .addColumn('progress_percentage', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('milestones_reached', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'::integer[]`))
    .addColumn('enrolled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('dropped_at', 'timestamptz')
    .addColumn('anonymised_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  // One live (active or completed) enrollment per user and course; dropped ones may repeat.
  await sql`create unique index enrollments_user_course_live_key on enrollments (user_id, course_id) where status <> 'dropped'`.execute(db)
  await sql`create index enrollments_user_idx on enrollments (user_id, id desc)`.execute(db)
  await sql`create index enrollments_course_idx on enrollments (course_id, status, id desc)`.execute(db)

  await db.schema
    .createTable('lesson_progress')
    .addColumn('enrollment_id', 'uuid', (c) => c.notNull().references('enrollments.id').onDelete('cascade'))
    .addColumn('lesson_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('not_started', 'in_progress', 'completed')`))
    .addColumn('completion_percentage', 'double precision', (c) => c.notNull().check(sql`completion_percentage between 0 and 100`))
    .addColumn('last_accessed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('lesson_progress_pkey', ['enrollment_id', 'lesson_id'])
    .execute()

  await db.schema
    .createTable('certificates')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'uuid', (c) => c.notNull().unique().references('enrollments.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('course_title', 'text', (c) => c.notNull())
    .addColumn('verification_code', 'text', (c) => c.notNull().unique())
    .addColumn('holder_name', 'text')
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await createOutboxTable(db)
  await createInboxTable(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['certificates', 'lesson_progress', 'enrollments', 'assessment_passes', 'course_assessments', 'courses', 'outbox', 'inbox']) {
    await db.schema.dropTable(table).ifExists().cascade().execute()
  }
}
