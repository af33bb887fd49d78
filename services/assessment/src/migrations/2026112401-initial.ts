import { sql, type Kysely } from 'kysely'
import { createInboxTable, createOutboxTable } from '@lms/events'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('courses')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('instructor_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute()

  await db.schema.createTable('enrollments')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('enrollment_id', 'uuid', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('enrollments_pkey', ['user_id', 'course_id'])
    .execute()

  await db.schema.createTable('assessments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('lesson_id', 'uuid')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('assessment_type', 'text', (c) => c.notNull().check(sql`assessment_type in ('quiz', 'exam', 'assignment')`))
    .addColumn('passing_score', 'real', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('time_limit_minutes', 'integer')
    .addColumn('opens_at', 'timestamptz')
    .addColumn('closes_at', 'timestamptz')
    .addColumn('required', 'boolean', (c) => c.notNull())
    .addColumn('shuffle_questions', 'boolean', (c) => c.notNull())
    .addColumn('shuffle_choices', 'boolean', (c) => c.notNull())
    .addColumn('questions_per_attempt', 'integer')
    .addColumn('show_correct_answers', 'text', (c) => c.notNull())
    .addColumn('questions', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute()
  await sql`create index assessments_course_idx on assessments (course_id, id) where deleted_at is null`.execute(db)

  await db.schema.createTable('attempts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('assessments.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('attempt_number', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('in_progress', 'pending_review', 'graded')`))
    .addColumn('drawn', 'jsonb', (c) => c.notNull())
    .addColumn('answers', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('grades', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('score', 'real')
    .addColumn('passed', 'boolean')
    .addColumn('late', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('anonymised', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deadline', 'timestamptz')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('graded_at', 'timestamptz')
    .addUniqueConstraint('attempts_user_number_key', ['assessment_id', 'user_id', 'attempt_number'])
    .execute()
  await sql`create index attempts_user_idx on attempts (user_id)`.execute(db)

  await createOutboxTable(db)
  await createInboxTable(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['attempts', 'assessments', 'enrollments', 'courses', 'outbox', 'inbox']) {
    await db.schema.dropTable(table).ifExists().cascade().execute()
  }
}
