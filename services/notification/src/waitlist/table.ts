import type { Generated } from 'kysely'

/**
 * Read model of enrollment.waitlisted / enrollment.waitlist_left: one row per waitlist entry. An
 * ended entry stays as `left`, so a late enrollment.waitlisted cannot bring it back.
 */
export interface WaitlistEntryTable {
  entryId: string
  courseId: string
  userId: string
  status: 'waiting' | 'left'
  /** The course version whose course.published still has to reach this student. */
  pendingVersion: number | null
  /** The last course version this student was told about. */
  notifiedVersion: number | null
  updatedAt: Generated<Date>
}
