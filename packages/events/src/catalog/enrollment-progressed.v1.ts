import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `enrollment.progressed` v1 (published by the enrollment service).
 *
 * @example
 * const event = createEvent('enrollment.progressed', payload, { source: 'enrollment' }) // payload: Static<typeof EnrollmentProgressedV1>
 */
export const EnrollmentProgressedV1 = Type.Object({
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  progressPercentage: Type.Number({ minimum: 0, maximum: 100 }),
  milestone: Type.Union([Type.Literal(25), Type.Literal(50), Type.Literal(75), Type.Literal(100)]),
  courseTitle: Type.Optional(Type.String()),
})
