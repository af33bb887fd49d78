import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely'
import type { Database } from '../database.js'
import type { QuestionBankTable } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertBank(db: Db, bank: Insertable<QuestionBankTable>) {
  return db.insertInto('questionBanks').values(bank).returningAll().executeTakeFirstOrThrow()
}

export async function findBank(db: Db, id: string) {
  return db.selectFrom('questionBanks').selectAll().where('id', '=', id).where('deletedAt', 'is', null).executeTakeFirst()
}

export async function listCourseBanks(db: Db, courseId: string, q: { limit: number; after?: string }) {
  let query = db.selectFrom('questionBanks').selectAll().where('courseId', '=', courseId).where('deletedAt', 'is', null).orderBy('id').limit(q.limit + 1)
  if (q.after) query = query.where('id', '>', q.after)
  return query.execute()
}

export async function updateBank(db: Db, id: string, changes: Updateable<QuestionBankTable>) {
  return db.updateTable('questionBanks').set({ ...changes, updatedAt: new Date(), version: sql`version + 1` })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function softDeleteBank(db: Db, id: string) {
  await db.updateTable('questionBanks').set({ deletedAt: new Date() }).where('id', '=', id).execute()
}
