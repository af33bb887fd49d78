import type { ColumnType, Selectable } from 'kysely'

export interface CertificateTable {
  id: string
  enrollmentId: string
  userId: string
  courseId: string
  courseTitle: string
  verificationCode: string
  /** The learner's name when issued (from user.registered); null if unknown or after the holder's account is deleted. */
  holderName: string | null
  completedAt: Date
  issuedAt: ColumnType<Date, Date | undefined, never>
}

export type CertificateRow = Selectable<CertificateTable>

/** Learners as known from user.* events: the name printed on their certificates. */
export interface LearnerTable {
  userId: string
  /** Null once the account is deleted. */
  fullName: string | null
}
