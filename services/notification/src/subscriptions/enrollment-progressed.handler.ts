import type { EventEnvelope } from '@lms/events'
import { findCourse } from '../audience/repository.js'
import { createNotifications } from '../notifications/service.js'
import { applyOnce, type HandlerDeps } from './context.js'

export function onEnrollmentProgressed(deps: HandlerDeps) {
  return (event: EventEnvelope<'enrollment.progressed'>) => applyOnce(deps, event, async (trx) => {
    const { userId, courseId, milestone } = event.data
    // 100 % is announced by enrollment.completed; one message is enough.
    if (milestone === 100) return
    const courseTitle = event.data.courseTitle ?? (await findCourse(trx, courseId))?.title ?? 'your course'
    return createNotifications(trx, 'progress_milestone', [{ userId, vars: { courseTitle, courseId, milestone, link: `${deps.appBaseUrl}/courses/${courseId}` } }])
  })
}
