import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `enrollment.waitlisted` v1 (published by the enrollment service): a student joined the
 * waitlist of a full course. The envelope's `occurredAt` is the time of joining.
 *
 * @example
 * const event = createEvent('enrollment.waitlisted', payload, { source: 'enrollment' }) // payload: Static<typeof EnrollmentWaitlistedV1>
 */
export const EnrollmentWaitlistedV1 = Type.Object({
  waitlistEntryId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  /** 1-based place in the course's queue at joining. */
  position: Type.Integer({ minimum: 1 }),
  courseTitle: Type.Optional(Type.String()),
})
