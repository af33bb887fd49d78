import type { EventEnvelope } from '@lms/events'
import { findCourse } from '../audience/repository.js'
import { createNotifications } from '../notifications/service.js'
import { insertWaiting } from '../waitlist/repository.js'
import { applyOnce, type HandlerDeps } from './context.js'

/** Remembers who waits for which course and confirms the place to the student (not when the entry already ended). */
export function onEnrollmentWaitlisted(deps: HandlerDeps) {
  return (event: EventEnvelope<'enrollment.waitlisted'>) => applyOnce(deps, event, async (trx) => {
    const { waitlistEntryId, userId, courseId, position } = event.data
    if (!(await insertWaiting(trx, { entryId: waitlistEntryId, courseId, userId }))) return
    const courseTitle = event.data.courseTitle ?? (await findCourse(trx, courseId))?.title ?? 'a course'
    return createNotifications(trx, 'waitlist_joined', [{ userId, vars: { courseTitle, courseId, position, link: `${deps.appBaseUrl}/courses/${courseId}` } }])
  })
}
