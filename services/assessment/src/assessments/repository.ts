import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { Insertable, Updateable } from 'kysely'
import type { AssessmentTable } from './table.js'

type Db = Kysely<Database> | Transaction<Database>
type NewAssessment = Insertable<AssessmentTable>

export async function insertAssessment(db: Db, a: NewAssessment) {
  return db.insertInto('assessments').values(a).returningAll().executeTakeFirstOrThrow()
}

export async function findAssessment(db: Db, id: string) {
  return db.selectFrom('assessments').selectAll().where('id', '=', id).where('deletedAt', 'is', null).executeTakeFirst()
}

export async function findAssessmentForUpdate(db: Transaction<Database>, id: string) {
  return db.selectFrom('assessments').selectAll().where('id', '=', id).where('deletedAt', 'is', null).forUpdate().executeTakeFirst()
}

export async function listCourseAssessments(db: Db, courseId: string, q: { limit: number; after?: string }) {
  let query = db.selectFrom('assessments').selectAll()
    .where('courseId', '=', courseId).where('deletedAt', 'is', null).orderBy('id').limit(q.limit + 1)
  if (q.after) query = query.where('id', '>', q.after)
  return query.execute()
}

export async function updateAssessment(db: Db, id: string, changes: Updateable<AssessmentTable>) {
  return db.updateTable('assessments').set({ ...changes, updatedAt: new Date(), version: sql`version + 1` })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function softDeleteAssessment(db: Db, id: string) {
  await db.updateTable('assessments').set({ deletedAt: new Date(), updatedAt: new Date(), version: sql`version + 1` })
    .where('id', '=', id).execute()
}

export async function hasAttempts(db: Db, assessmentId: string) {
  const row = await db.selectFrom('attempts').select('id').where('assessmentId', '=', assessmentId).limit(1).executeTakeFirst()
  return row !== undefined
}
