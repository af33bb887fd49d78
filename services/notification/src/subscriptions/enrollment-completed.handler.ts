import type { EventEnvelope } from '@lms/events'
import { findCourse } from '../audience/repository.js'
import { createNotifications } from '../notifications/service.js'
import { applyOnce, type HandlerDeps } from './context.js'

export function onEnrollmentCompleted(deps: HandlerDeps) {
  return (event: EventEnvelope<'enrollment.completed'>) => applyOnce(deps, event, async (trx) => {
    const { userId, courseId } = event.data
    const courseTitle = event.data.courseTitle ?? (await findCourse(trx, courseId))?.title ?? 'your course'
    return createNotifications(trx, 'course_completed', [{ userId, vars: { courseTitle, courseId, link: `${deps.appBaseUrl}/courses/${courseId}` } }])
  })
}
