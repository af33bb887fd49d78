import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `enrollment.waitlist_left` v1 (published by the enrollment service): a waiting entry
 * ended. `reason`: `left` (the student left), `removed` (an admin removed it), `promoted` (a seat
 * was given; `enrollmentId` is the new enrollment, announced by its own `enrollment.created`),
 * `already_enrolled` (dropped from the queue because the student holds an enrollment already).
 * Entries of a deleted user end with `user.deleted`, not with this event.
 *
 * @example
 * const event = createEvent('enrollment.waitlist_left', payload, { source: 'enrollment' }) // payload: Static<typeof EnrollmentWaitlistLeftV1>
 */
export const EnrollmentWaitlistLeftV1 = Type.Object({
  waitlistEntryId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  reason: Type.Union([Type.Literal('left'), Type.Literal('removed'), Type.Literal('promoted'), Type.Literal('already_enrolled')]),
  enrollmentId: Type.Optional(Uuid),
})
