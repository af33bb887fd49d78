import Type, { type Static } from 'typebox'
import { IdSchema, PageQuerySchema } from '@lms/kit'
import type { EnrollmentRow, LessonProgressRow } from './table.js'

export const EnrollmentStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('completed'), Type.Literal('dropped')])
export const LessonStatusSchema = Type.Union([Type.Literal('not_started'), Type.Literal('in_progress'), Type.Literal('completed')])

export const EnrollmentSchema = Type.Object({
  id: IdSchema,
  userId: IdSchema,
  courseId: IdSchema,
  status: EnrollmentStatusSchema,
  progressPercentage: Type.Number({ minimum: 0, maximum: 100 }),
  enrolledAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type Enrollment = Static<typeof EnrollmentSchema>

export const LessonProgressSchema = Type.Object({
  lessonId: IdSchema,
  status: LessonStatusSchema,
  completionPercentage: Type.Number({ minimum: 0, maximum: 100 }),
  lastAccessedAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

/** An enrollment with the progress of each lesson touched so far. */
export const EnrollmentDetailSchema = Type.Object({
  ...EnrollmentSchema.properties,
  lessons: Type.Array(LessonProgressSchema),
})
export type EnrollmentDetail = Static<typeof EnrollmentDetailSchema>

export const CreateEnrollmentSchema = Type.Object({
  courseId: IdSchema,
  /** Admins only: enroll another user. */
  userId: Type.Optional(IdSchema),
  /** When the course is full, queue for the next free seat (202 with the waitlist entry) instead of 409. */
  waitlist: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })

export const UpdateProgressSchema = Type.Object({
  lessonId: IdSchema,
  status: LessonStatusSchema,
  completionPercentage: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
}, { additionalProperties: false })
export type UpdateProgress = Static<typeof UpdateProgressSchema>

export const EnrollmentListQuerySchema = Type.Object({ ...PageQuerySchema.properties }, { additionalProperties: false })
export const UserParamsSchema = Type.Object({ userId: IdSchema }, { additionalProperties: false })
export const CourseParamsSchema = Type.Object({ courseId: IdSchema }, { additionalProperties: false })

export const CourseStatsSchema = Type.Object({
  courseId: IdSchema,
  /** Every enrollment ever made, dropped ones included. */
  enrolled: Type.Integer(),
  active: Type.Integer(),
  completed: Type.Integer(),
  dropped: Type.Integer(),
  /** Mean progress of enrollments that are not dropped. */
  averageProgress: Type.Number(),
  /** completed / enrolled, 0 when nobody enrolled. */
  completionRate: Type.Number(),
})

export function toEnrollment(row: Pick<EnrollmentRow, 'id' | 'userId' | 'courseId' | 'status' | 'progressPercentage' | 'enrolledAt' | 'completedAt'>): Enrollment {
  return {
    id: row.id,
    userId: row.userId,
    courseId: row.courseId,
    status: row.status,
    progressPercentage: row.progressPercentage,
    enrolledAt: row.enrolledAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
  }
}

export function toEnrollmentDetail(row: Parameters<typeof toEnrollment>[0], lessons: Array<Omit<LessonProgressRow, 'enrollmentId'>>): EnrollmentDetail {
  return {
    ...toEnrollment(row),
    lessons: lessons.map((l) => ({
      lessonId: l.lessonId,
      status: l.status,
      completionPercentage: l.completionPercentage,
      lastAccessedAt: l.lastAccessedAt.toISOString(),
      completedAt: l.completedAt ? l.completedAt.toISOString() : null,
    })),
  }
}
