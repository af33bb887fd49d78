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
