import Type from 'typebox'
import { Uuid } from './common.js'

export const EnrollmentCreatedV1 = Type.Object({
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  instructorId: Type.Optional(Uuid),
  courseTitle: Type.Optional(Type.String()),
})
