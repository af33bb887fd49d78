import Type from 'typebox'
import { IsoDateTime, Uuid } from './common.js'

/**
 * Payload of `enrollment.completed` v1 (published by the enrollment service).
 *
 * @example
 * const event = createEvent('enrollment.completed', payload, { source: 'enrollment' }) // payload: Static<typeof EnrollmentCompletedV1>
 */
export const EnrollmentCompletedV1 = Type.Object({
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  completedAt: IsoDateTime,
  courseTitle: Type.Optional(Type.String()),
})
