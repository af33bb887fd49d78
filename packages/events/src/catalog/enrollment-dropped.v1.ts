import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `enrollment.dropped` v1 (published by the enrollment service).
 *
 * @example
 * const event = createEvent('enrollment.dropped', payload, { source: 'enrollment' }) // payload: Static<typeof EnrollmentDroppedV1>
 */
export const EnrollmentDroppedV1 = Type.Object({
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  courseTitle: Type.Optional(Type.String()),
})
