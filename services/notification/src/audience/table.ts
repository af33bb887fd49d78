import type { Generated } from 'kysely'
import type { Role } from '@lms/kit'

/** Who a person is, kept from user events: the email address and role the notifications need. */
export interface UserContactTable {
  userId: string
  email: string
  fullName: string
  role: Role
  updatedAt: Generated<Date>
}

/** Read model of course.published: who teaches a course. */
export interface CourseTable {
  courseId: string
  instructorId: string
  title: string
}

/** Read model of enrollment.created / enrollment.dropped: who studies a course. */
export interface CourseStudentTable {
  courseId: string
  userId: string
}
