import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { CertificateRow } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertCertificate(db: Db, c: CertificateRow) {
  return db.insertInto('certificates').values(c).returningAll().executeTakeFirstOrThrow()
}

export async function findCertificateByEnrollment(db: Db, enrollmentId: string) {
  return db.selectFrom('certificates').selectAll().where('enrollmentId', '=', enrollmentId).executeTakeFirst()
}

export async function findCertificateByCode(db: Db, code: string) {
  return db.selectFrom('certificates').selectAll().where('verificationCode', '=', code).executeTakeFirst()
}

/** Remembers a learner's name unless the learner is already known (a deleted learner stays nameless). */
export async function insertLearner(db: Db, learner: { userId: string; fullName: string }) {
  await db.insertInto('learners').values(learner).onConflict((oc) => oc.column('userId').doNothing()).execute()
}

export async function findLearnerName(db: Db, userId: string) {
  const row = await db.selectFrom('learners').select('fullName').where('userId', '=', userId).executeTakeFirst()
  return row?.fullName ?? null
}

/** Certificates issued before the learner's name arrived get it now. */
export async function fillHolderName(db: Db, userId: string, fullName: string) {
  await db.updateTable('certificates').set({ holderName: fullName }).where('userId', '=', userId).where('holderName', 'is', null).execute()
}

/** Erases a learner's name, keeping a nameless row so a late user.registered cannot restore it. */
export async function eraseLearner(db: Db, userId: string) {
  await db.insertInto('learners').values({ userId, fullName: null })
    .onConflict((oc) => oc.column('userId').doUpdateSet({ fullName: null }))
    .execute()
}
