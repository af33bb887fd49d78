import type { Kysely } from 'kysely'
import { type EventHandlers, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import type { EnrollmentService } from '../enrollments/service.js'
import { onAssessmentDefined, onAssessmentDeleted, onAssessmentGraded } from './assessment.handler.js'
import { onCourseArchived, onCourseSnapshot } from './course.handler.js'
import { CONSUMER } from './consumer-name.js'
import { onUserDeleted, onUserRegistered } from './user.handler.js'

/** Every event this service consumes, by type and version, for startServiceBus. */
export function createEventHandlers(deps: { db: Kysely<Database>; enrollments: EnrollmentService; onCompleted?: () => void }): EventHandlers {
  const { enrollments } = deps
  const inbox = new PgInbox({ db: deps.db, consumer: CONSUMER })
  return {
    'course.published': { 1: onCourseSnapshot(inbox) },
    'course.updated': { 1: onCourseSnapshot(inbox) },
    'course.archived': { 1: onCourseArchived(inbox) },
    'assessment.created': { 1: onAssessmentDefined(inbox) },
    'assessment.updated': { 1: onAssessmentDefined(inbox) },
    'assessment.deleted': { 1: onAssessmentDeleted(inbox) },
    'assessment.graded': { 1: onAssessmentGraded(inbox, enrollments, deps.onCompleted) },
    'user.registered': { 1: onUserRegistered(inbox) },
    'user.deleted': { 1: onUserDeleted(inbox, enrollments) },
  }
}
