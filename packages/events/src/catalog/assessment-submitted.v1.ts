import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `assessment.submitted` v1 (published by the assessment service).
 *
 * @example
 * const event = createEvent('assessment.submitted', payload, { source: 'assessment' }) // payload: Static<typeof AssessmentSubmittedV1>
 */
export const AssessmentSubmittedV1 = Type.Object({
  attemptId: Uuid,
  assessmentId: Uuid,
  courseId: Uuid,
  userId: Uuid,
  attemptNumber: Type.Integer({ minimum: 1 }),
})
