import type { ColumnType, Selectable } from 'kysely'

export type WaitlistStatus = 'waiting' | 'promoted'

export interface WaitlistEntryTable {
  id: string
  userId: string
  courseId: string
  status: ColumnType<WaitlistStatus, WaitlistStatus | undefined, WaitlistStatus>
  enrollmentId: string | null
  createdAt: ColumnType<Date, Date | undefined, never>
  promotedAt: Date | null
}

export type WaitlistEntryRow = Selectable<WaitlistEntryTable>
