import Type from 'typebox'
import { Uuid } from './common.js'

/** The assessment fields carried by assessment.created and assessment.updated v1. */
export const AssessmentDefinitionV1 = Type.Object({
  assessmentId: Uuid,
  courseId: Uuid,
  required: Type.Boolean(),
  title: Type.String(),
  passingScore: Type.Number({ minimum: 0, maximum: 100 }),
})
