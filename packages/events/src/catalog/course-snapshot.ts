import Type from 'typebox'
import { Uuid } from './common.js'

/** The course structure carried by course.published and course.updated v1 (read models rebuild from it). */
export const CourseSnapshotV1 = Type.Object({
  courseId: Uuid,
  version: Type.Integer({ minimum: 1 }),
  title: Type.String(),
  instructorId: Uuid,
  capacity: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  status: Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]),
  modules: Type.Array(
    Type.Object({
      id: Uuid,
      lessons: Type.Array(Type.Object({ id: Uuid, prerequisiteLessonIds: Type.Array(Uuid) })),
    }),
  ),
  requiredAssessmentIds: Type.Array(Uuid),
})
