import type { Selectable } from 'kysely'

/** Courses as known from course.* events: who teaches them and whether they are live. */
export interface CourseTable {
  id: string
  instructorId: string
  status: 'draft' | 'published' | 'archived'
  version: number
}

/** Enrollments as known from enrollment.* events. */
export interface EnrollmentTable {
  userId: string
  courseId: string
  enrollmentId: string
  active: boolean
}

export type CourseRow = Selectable<CourseTable>
