import type { ColumnType } from 'kysely'

export type CourseStatus = 'draft' | 'published' | 'archived'

export interface CourseOutline {
  modules: Array<{ id: string; lessons: Array<{ id: string; prerequisiteLessonIds: string[] }> }>
  requiredAssessmentIds: string[]
}

/** Read model of a course, rebuilt from course.published / course.updated / course.archived. */
export interface CourseTable {
  id: string
  status: CourseStatus
  title: string
  instructorId: string
  capacity: number | null
  version: number
  outline: ColumnType<CourseOutline, string, string>
  updatedAt: ColumnType<Date, Date | undefined, Date>
}

/** Assessments of a course, from assessment.created / updated / deleted. */
export interface CourseAssessmentTable {
  assessmentId: string
  courseId: string
  required: boolean
  deleted: boolean
}

/** Passed attempts (one row per user and assessment), from assessment.graded. */
export interface AssessmentPassTable {
  userId: string
  assessmentId: string
  courseId: string
  passedAt: ColumnType<Date, Date | undefined, Date>
}
