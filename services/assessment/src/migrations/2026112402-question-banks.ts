import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('question_banks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('course_id', 'uuid', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('questions', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute()
  await sql`create index question_banks_course_idx on question_banks (course_id, id) where deleted_at is null`.execute(db)
  await db.schema.alterTable('assessments').addColumn('bank_id', 'uuid', (c) => c.references('question_banks.id')).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('assessments').dropColumn('bank_id').execute()
  await db.schema.dropTable('question_banks').execute()
}
