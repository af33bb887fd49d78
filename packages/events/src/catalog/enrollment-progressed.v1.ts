import Type from 'typebox'
import { Uuid } from './common.js'

export const EnrollmentProgressedV1 = Type.Object({
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  progressPercentage: Type.Number({ minimum: 0, maximum: 100 }),
  milestone: Type.Union([Type.Literal(25), Type.Literal(50), Type.Literal(75), Type.Literal(100)]),
  courseTitle: Type.Optional(Type.String()),
})
