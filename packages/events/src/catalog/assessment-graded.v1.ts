import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `assessment.graded` v1 (published by the assessment service).
 *
 * @example
 * const event = createEvent('assessment.graded', payload, { source: 'assessment' }) // payload: Static<typeof AssessmentGradedV1>
 */
export const AssessmentGradedV1 = Type.Object({
  attemptId: Uuid,
  assessmentId: Uuid,
  courseId: Uuid,
  userId: Uuid,
  score: Type.Number({ minimum: 0, maximum: 100 }),
  passed: Type.Boolean(),
  attemptNumber: Type.Integer({ minimum: 1 }),
  required: Type.Boolean(),
  title: Type.Optional(Type.String()),
})
