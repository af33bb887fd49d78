import type { Kysely } from 'kysely'
import type { Role } from '@lms/kit'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import { findCourse, isEnrolled } from './repository.js'

export type Access = 'staff' | 'student' | 'none'

/** What the caller may do in a course: staff (its instructor, or an admin) or an enrolled student. */
export function createAccessService(db: Kysely<Database>) {
  return {
    async isArchived(courseId: string) {
      return (await findCourse(db, courseId))?.status === 'archived'
    },
    async access(user: { id: string; role: Role }, courseId: string): Promise<Access> {
      const course = await findCourse(db, courseId)
      if (user.role === 'admin') return 'staff'
      if (course && user.role === 'instructor' && course.instructorId === user.id) return 'staff'
      if (user.role === 'student' && (await isEnrolled(db, user.id, courseId))) return 'student'
      return 'none'
    },
    /** For writes: 404 for an unknown course, 403 for anyone but its instructor or an admin. */
    async requireStaff(user: { id: string; role: Role }, courseId: string) {
      const course = await findCourse(db, courseId)
      if (!course) throw errors.ASM_ERR_COURSE_NOT_FOUND()
      if (user.role === 'admin') return course
      if (user.role === 'instructor' && course.instructorId === user.id) return course
      throw errors.ASM_ERR_NOT_COURSE_INSTRUCTOR()
    },
  }
}

export type AccessService = ReturnType<typeof createAccessService>
