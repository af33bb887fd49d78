import Type, { type Static } from 'typebox'
import { IdSchema } from '@lms/kit'
import type { WaitlistEntryRow } from './table.js'

/** A place in a full course's queue; `position` is 1-based while waiting, null once promoted. */
export const WaitlistEntrySchema = Type.Object({
  id: IdSchema,
  userId: IdSchema,
  courseId: IdSchema,
  status: Type.Union([Type.Literal('waiting'), Type.Literal('promoted')]),
  position: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  /** The enrollment the promotion created. */
  enrollmentId: Type.Union([IdSchema, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  promotedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type WaitlistEntry = Static<typeof WaitlistEntrySchema>

export function toWaitlistEntry(row: WaitlistEntryRow, position: number | null): WaitlistEntry {
  return {
    id: row.id,
    userId: row.userId,
    courseId: row.courseId,
    status: row.status,
    position: row.status === 'waiting' ? position : null,
    enrollmentId: row.enrollmentId,
    createdAt: row.createdAt.toISOString(),
    promotedAt: row.promotedAt ? row.promotedAt.toISOString() : null,
  }
}
