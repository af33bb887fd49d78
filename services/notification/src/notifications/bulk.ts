import type { Kysely } from 'kysely'
import type { AuthUser, Role } from '@lms/kit'
import { contactBatch, courseStudentBatch, findCourse } from '../audience/repository.js'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import type { CreateNotification } from './schemas.js'
import { createNotifications, type NotificationPublisher } from './service.js'

/**
 * Instructor → every student of an own course; admin → a course, everyone or
 * one role. Each batch of recipients commits on its own, so a large send never
 * holds one giant transaction.
 */
export function createBulkService(deps: { db: Kysely<Database>; publisher: NotificationPublisher; batchSize: number; onQueued?: () => void }) {
  return {
    async send(caller: AuthUser, body: CreateNotification) {
      let next: (after: string | undefined) => Promise<string[]>
      if (body.courseId) {
        const course = await findCourse(deps.db, body.courseId)
        if (caller.role !== 'admin') {
          if (!course || course.instructorId !== caller.id) throw errors.NTF_ERR_COURSE_NOT_YOURS()
        } else if (!course) throw errors.NTF_ERR_UNKNOWN_COURSE()
        const courseId = body.courseId
        next = (after) => courseStudentBatch(deps.db, courseId, after, deps.batchSize)
      } else {
        if (caller.role !== 'admin') throw errors.NTF_ERR_COURSE_REQUIRED()
        const role = body.audience && body.audience !== 'all' ? body.audience as Role : undefined
        next = (after) => contactBatch(deps.db, role, after, deps.batchSize)
      }
      const vars = { title: body.title, message: body.body, link: body.link ?? '', senderId: caller.id, ...(body.courseId ? { courseId: body.courseId } : {}) }
      let recipients = 0
      let after: string | undefined
      for (;;) {
        const ids = await next(after)
        if (ids.length === 0) break
        const rows = await deps.db.transaction().execute((trx) =>
          createNotifications(trx, 'announcement', ids.map((userId) => ({ userId, vars }))))
        recipients += ids.length
        deps.onQueued?.()
        await deps.publisher.publish(rows)
        after = ids[ids.length - 1]
        if (ids.length < deps.batchSize) break
      }
      return { recipients }
    },
  }
}

export type BulkService = ReturnType<typeof createBulkService>
