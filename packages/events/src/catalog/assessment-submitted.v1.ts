import Type from 'typebox'
import { Uuid } from './common.js'

export const AssessmentSubmittedV1 = Type.Object({
  attemptId: Uuid,
  assessmentId: Uuid,
  courseId: Uuid,
  userId: Uuid,
  attemptNumber: Type.Integer({ minimum: 1 }),
})
