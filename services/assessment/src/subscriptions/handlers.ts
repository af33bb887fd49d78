import type { Kysely } from 'kysely'
import { type EventHandlers, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import { onCourseArchived } from './course-archived.handler.js'
import { onCourseCreated } from './course-created.handler.js'
import { onCourseSnapshot } from './course-snapshot.handler.js'
import { onEnrollmentCreated } from './enrollment-created.handler.js'
import { onEnrollmentDropped } from './enrollment-dropped.handler.js'
import { onUserDeleted } from './user-deleted.handler.js'

/** Every event this service consumes, by type and version. */
export function subscriptionHandlers(db: Kysely<Database>): EventHandlers {
  // One inbox for all handlers: events arriving together share a transaction (group commit).
  const inbox = new PgInbox({ db, consumer: 'assessment' })
  return {
    'course.created': { 1: onCourseCreated(inbox) },
    'course.published': { 1: onCourseSnapshot<'course.published'>(inbox) },
    'course.updated': { 1: onCourseSnapshot<'course.updated'>(inbox) },
    'course.archived': { 1: onCourseArchived(inbox) },
    'enrollment.created': { 1: onEnrollmentCreated(inbox) },
    'enrollment.dropped': { 1: onEnrollmentDropped(inbox) },
    'user.deleted': { 1: onUserDeleted(inbox) },
  }
}
