import Type from 'typebox'
import { IsoDateTime, Uuid } from './common.js'

export const EnrollmentCompletedV1 = Type.Object({
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  completedAt: IsoDateTime,
  courseTitle: Type.Optional(Type.String()),
})
