import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `enrollment.created` v1 (published by the enrollment service).
 *
 * @example
 * const event = createEvent('enrollment.created', payload, { source: 'enrollment' }) // payload: Static<typeof EnrollmentCreatedV1>
 */
export const EnrollmentCreatedV1 = Type.Object({
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  instructorId: Type.Optional(Uuid),
  courseTitle: Type.Optional(Type.String()),
})
