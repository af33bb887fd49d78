import type { Kysely } from 'kysely'
import type { EventHandlers } from '@lms/events'
import type { Database } from '../database.js'
import type { EnrollmentService } from '../enrollments/service.js'
import { onAssessmentDefined, onAssessmentDeleted, onAssessmentGraded } from './assessment.handler.js'
import { onCourseArchived, onCourseSnapshot } from './course.handler.js'
import { onUserDeleted, onUserRegistered } from './user.handler.js'

/** Every event this service consumes, by type and version, for startServiceBus. */
export function createEventHandlers(deps: { db: Kysely<Database>; enrollments: EnrollmentService; onCompleted?: () => void }): EventHandlers {
  const { db, enrollments } = deps
  return {
    'course.published': { 1: onCourseSnapshot(db) },
    'course.updated': { 1: onCourseSnapshot(db) },
    'course.archived': { 1: onCourseArchived(db) },
    'assessment.created': { 1: onAssessmentDefined(db) },
    'assessment.updated': { 1: onAssessmentDefined(db) },
    'assessment.deleted': { 1: onAssessmentDeleted(db) },
    'assessment.graded': { 1: onAssessmentGraded(db, enrollments, deps.onCompleted) },
    'user.registered': { 1: onUserRegistered(db) },
    'user.deleted': { 1: onUserDeleted(db, enrollments) },
  }
}
