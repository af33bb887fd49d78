import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  // Names from user.registered, for certificates; a deleted user's row stays with a null name so a
  // late user.registered cannot bring the name back.
  await db.schema
    .createTable('learners')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('full_name', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('learners').ifExists().execute()
}
