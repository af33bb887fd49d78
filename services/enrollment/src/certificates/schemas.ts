import Type, { type Static } from 'typebox'
import { IdSchema } from '@lms/kit'
import type { CertificateRow } from './table.js'

export const CertificateSchema = Type.Object({
  id: IdSchema,
  enrollmentId: IdSchema,
  userId: IdSchema,
  courseId: IdSchema,
  courseTitle: Type.String(),
  verificationCode: Type.String(),
  holderName: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.String({ format: 'date-time' }),
  issuedAt: Type.String({ format: 'date-time' }),
})
export type Certificate = Static<typeof CertificateSchema>

/** What anyone holding the code may see: no user id, and the name only while the holder's account exists. */
export const CertificateVerificationSchema = Type.Object({
  valid: Type.Boolean(),
  verificationCode: Type.String(),
  courseId: IdSchema,
  courseTitle: Type.String(),
  holderName: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.String({ format: 'date-time' }),
  issuedAt: Type.String({ format: 'date-time' }),
})

export const CodeParamsSchema = Type.Object({
  code: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }),
}, { additionalProperties: false })

export function toCertificate(row: CertificateRow): Certificate {
  return {
    id: row.id,
    enrollmentId: row.enrollmentId,
    userId: row.userId,
    courseId: row.courseId,
    courseTitle: row.courseTitle,
    verificationCode: row.verificationCode,
    holderName: row.holderName,
    completedAt: row.completedAt.toISOString(),
    issuedAt: row.issuedAt.toISOString(),
  }
}

export function toCertificateVerification(row: CertificateRow): Static<typeof CertificateVerificationSchema> {
  return {
    valid: true,
    verificationCode: row.verificationCode,
    courseId: row.courseId,
    courseTitle: row.courseTitle,
    holderName: row.holderName,
    completedAt: row.completedAt.toISOString(),
    issuedAt: row.issuedAt.toISOString(),
  }
}
