import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../database.js'

type Db = Kysely<Database> | Transaction<Database>

export async function listPreferences(db: Db, userIds: string[]) {
  if (userIds.length === 0) return []
  return db.selectFrom('preferences').selectAll().where('userId', 'in', userIds).execute()
}

export async function upsertPreferences(db: Db, rows: Array<{ userId: string; type: string; channel: string; enabled: boolean }>) {
  if (rows.length === 0) return
  await db.insertInto('preferences').values(rows)
    .onConflict((oc) => oc.columns(['userId', 'type', 'channel']).doUpdateSet((eb) => ({ enabled: eb.ref('excluded.enabled') })))
    .execute()
}

export async function deletePreferences(db: Db, userId: string) {
  await db.deleteFrom('preferences').where('userId', '=', userId).execute()
}
