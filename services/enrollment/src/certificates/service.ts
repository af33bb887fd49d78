import { randomBytes } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { uuidv7 } from 'uuidv7'
import { createEvent, enqueue } from '@lms/events'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import * as repo from './repository.js'
import { renderCertificatePdf } from './pdf.js'
import { toCertificate, toCertificateVerification } from './schemas.js'

/** 128 random bits, URL-safe: the code printed on the certificate is the only key to verify it publicly. */
function verificationCode() {
  return randomBytes(16).toString('base64url')
}

/** Issues the certificate of a completed enrollment inside the caller's transaction, with certificate.issued. */
export async function issueCertificate(trx: Transaction<Database>, e: { enrollmentId: string; userId: string; courseId: string; courseTitle: string; completedAt: Date }) {
  const existing = await repo.findCertificateByEnrollment(trx, e.enrollmentId)
  if (existing) return existing
  const row = await repo.insertCertificate(trx, {
    id: uuidv7(), enrollmentId: e.enrollmentId, userId: e.userId, courseId: e.courseId, courseTitle: e.courseTitle,
    verificationCode: verificationCode(), holderName: await repo.findLearnerName(trx, e.userId), completedAt: e.completedAt, issuedAt: e.completedAt,
  })
  await enqueue(trx, createEvent('certificate.issued', {
    certificateId: row.id, enrollmentId: row.enrollmentId, userId: row.userId, courseId: row.courseId,
    verificationCode: row.verificationCode, courseTitle: row.courseTitle,
  }, { source: 'enrollment' }))
  return row
}

/** user.registered: remembers the learner's name for certificates (and names any issued before it arrived). */
export async function rememberLearner(trx: Transaction<Database>, learner: { userId: string; fullName: string }) {
  await repo.insertLearner(trx, learner)
  const name = await repo.findLearnerName(trx, learner.userId)
  if (name) await repo.fillHolderName(trx, learner.userId, name)
}

/** user.deleted: forgets the learner's name (their certificates are anonymised by the enrollment service). */
export async function forgetLearner(trx: Transaction<Database>, userId: string) {
  await repo.eraseLearner(trx, userId)
}

export function createCertificateService(deps: { db: Kysely<Database> }) {
  const { db } = deps
  return {
    /** The certificate of an enrollment the caller may already see (checked by the enrollment service). */
    async ofEnrollment(enrollmentId: string) {
      const row = await repo.findCertificateByEnrollment(db, enrollmentId)
      if (!row) throw errors.ENR_ERR_CERTIFICATE_NOT_FOUND()
      return toCertificate(row)
    },

    async pdfOfEnrollment(enrollmentId: string) {
      const row = await repo.findCertificateByEnrollment(db, enrollmentId)
      if (!row) throw errors.ENR_ERR_CERTIFICATE_NOT_FOUND()
      return renderCertificatePdf(row)
    },

    async verify(code: string) {
      const row = await repo.findCertificateByCode(db, code)
      if (!row) throw errors.ENR_ERR_CERTIFICATE_NOT_FOUND()
      return toCertificateVerification(row)
    },
  }
}

export type CertificateService = ReturnType<typeof createCertificateService>
