import { type EventHandlers, PgInbox } from '@lms/events'
import { onAssessmentGraded } from './assessment-graded.handler.js'
import { onCertificateIssued } from './certificate-issued.handler.js'
import { CONSUMER, type HandlerDeps } from './context.js'
import { onCoursePublished, onCourseSnapshot } from './course-published.handler.js'
import { onEnrollmentCompleted } from './enrollment-completed.handler.js'
import { onEnrollmentCreated } from './enrollment-created.handler.js'
import { onEnrollmentDropped } from './enrollment-dropped.handler.js'
import { onEnrollmentProgressed } from './enrollment-progressed.handler.js'
import { onEnrollmentWaitlistLeft } from './enrollment-waitlist-left.handler.js'
import { onEnrollmentWaitlisted } from './enrollment-waitlisted.handler.js'
import { onUserDeleted } from './user-deleted.handler.js'
import { onUserRegistered } from './user-registered.handler.js'
import { onUserRoleChanged } from './user-role-changed.handler.js'

export type { HandlerDeps } from './context.js'

/** Every consumed event, by type and version. */
export function createHandlers(options: Omit<HandlerDeps, 'inbox'>) {
  const deps: HandlerDeps = { ...options, inbox: new PgInbox({ db: options.db, consumer: CONSUMER }) }
  const handlers = {
    'user.registered': { 1: onUserRegistered(deps) },
    'user.role_changed': { 1: onUserRoleChanged(deps) },
    'user.deleted': { 1: onUserDeleted(deps) },
    'course.published': { 1: onCoursePublished(deps) },
    'course.updated': { 1: onCourseSnapshot<'course.updated'>(deps) },
    'enrollment.created': { 1: onEnrollmentCreated(deps) },
    'enrollment.dropped': { 1: onEnrollmentDropped(deps) },
    'enrollment.progressed': { 1: onEnrollmentProgressed(deps) },
    'enrollment.completed': { 1: onEnrollmentCompleted(deps) },
    'enrollment.waitlisted': { 1: onEnrollmentWaitlisted(deps) },
    'enrollment.waitlist_left': { 1: onEnrollmentWaitlistLeft(deps) },
    'certificate.issued': { 1: onCertificateIssued(deps) },
    'assessment.graded': { 1: onAssessmentGraded(deps) },
  } satisfies EventHandlers
  return handlers
}
