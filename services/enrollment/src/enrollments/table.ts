import type { ColumnType, Selectable } from 'kysely'

export type EnrollmentStatus = 'active' | 'completed' | 'dropped'
export type LessonStatus = 'not_started' | 'in_progress' | 'completed'

export interface EnrollmentTable {
  id: string
  userId: string
  courseId: string
  status: EnrollmentStatus
  progressPercentage: ColumnType<number, number | undefined, number>
  milestonesReached: ColumnType<number[], number[] | undefined, number[]>
  enrolledAt: ColumnType<Date, Date | undefined, never>
  completedAt: Date | null
  droppedAt: Date | null
  anonymisedAt: Date | null
  updatedAt: ColumnType<Date, Date | undefined, Date>
}

export interface LessonProgressTable {
  enrollmentId: string
  lessonId: string
  status: LessonStatus
  completionPercentage: number
  lastAccessedAt: ColumnType<Date, Date | undefined, Date>
  completedAt: Date | null
}

export type EnrollmentRow = Selectable<EnrollmentTable>
export type LessonProgressRow = Selectable<LessonProgressTable>
