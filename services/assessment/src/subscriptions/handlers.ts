import type { Kysely } from 'kysely'
import type { EventHandlers } from '@lms/events'
import type { Database } from '../database.js'
import { onCourseArchived } from './course-archived.handler.js'
import { onCourseCreated } from './course-created.handler.js'
import { onCourseSnapshot } from './course-snapshot.handler.js'
import { onEnrollmentCreated } from './enrollment-created.handler.js'
import { onEnrollmentDropped } from './enrollment-dropped.handler.js'
import { onUserDeleted } from './user-deleted.handler.js'

/** Every event this service consumes, by type and version. */
export function subscriptionHandlers(db: Kysely<Database>): EventHandlers {
  return {
    'course.created': { 1: onCourseCreated(db) },
    'course.published': { 1: onCourseSnapshot<'course.published'>(db) },
    'course.updated': { 1: onCourseSnapshot<'course.updated'>(db) },
    'course.archived': { 1: onCourseArchived(db) },
    'enrollment.created': { 1: onEnrollmentCreated(db) },
    'enrollment.dropped': { 1: onEnrollmentDropped(db) },
    'user.deleted': { 1: onUserDeleted(db) },
  }
}
