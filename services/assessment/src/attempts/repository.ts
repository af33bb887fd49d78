import { sql, type Insertable, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { AttemptTable } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

/** Serialises attempt starts of one user on one assessment until the transaction ends. */
export async function lockUserAssessment(trx: Transaction<Database>, userId: string, assessmentId: string) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${userId}:${assessmentId}`}, 0))`.execute(trx)
}

export async function countAttempts(db: Db, userId: string, assessmentId: string) {
  const row = await db.selectFrom('attempts').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('userId', '=', userId).where('assessmentId', '=', assessmentId).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertAttempt(db: Db, a: Insertable<AttemptTable>) {
  return db.insertInto('attempts').values(a).returningAll().executeTakeFirstOrThrow()
}

export async function findAttemptForUpdate(trx: Transaction<Database>, id: string, assessmentId: string) {
  return trx.selectFrom('attempts').selectAll().where('id', '=', id).where('assessmentId', '=', assessmentId).forUpdate().executeTakeFirst()
}

export async function saveAttempt(db: Db, id: string, changes: {
  status: AttemptTable['status']; answers?: string; grades: string; score: number; passed: boolean;
  late?: boolean; submittedAt?: Date; gradedAt: Date | null
}) {
  return db.updateTable('attempts').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function listAttempts(db: Db, assessmentId: string, userId?: string) {
  let query = db.selectFrom('attempts').selectAll().where('assessmentId', '=', assessmentId).orderBy('startedAt').orderBy('id')
  if (userId) query = query.where('userId', '=', userId)
  return query.execute()
}
