import type { ColumnType, Selectable } from 'kysely'

export interface CertificateTable {
  id: string
  enrollmentId: string
  userId: string
  courseId: string
  courseTitle: string
  verificationCode: string
  /** Null: the service receives no names; also null after the holder's account is deleted. */
  holderName: string | null
  completedAt: Date
  issuedAt: ColumnType<Date, Date | undefined, never>
}

export type CertificateRow = Selectable<CertificateTable>
