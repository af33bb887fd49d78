import Type from 'typebox'
import { Uuid } from './common.js'

export const EnrollmentDroppedV1 = Type.Object({
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  courseTitle: Type.Optional(Type.String()),
})
