import type { EventEnvelope } from '@lms/events'
import { upsertCourse } from '../audience/repository.js'
import { markDue } from '../waitlist/repository.js'
import { notifyDueWaiters } from '../waitlist/service.js'
import { applyOnce, type HandlerDeps } from './context.js'

/** course.published and course.updated carry the same snapshot: who teaches the course, for bulk sends. */
export function onCourseSnapshot<T extends 'course.published' | 'course.updated'>(deps: HandlerDeps) {
  return (event: EventEnvelope<T>) => applyOnce(deps, event, async (trx) => {
    const { courseId, instructorId, title } = event.data as EventEnvelope<'course.published'>['data']
    await upsertCourse(trx, { courseId, instructorId, title })
  })
}

/**
 * course.published also tells the students waiting for the course: the inbox transaction marks
 * who is due for this version, then batches of them are notified. A redelivery (even one the inbox
 * calls a duplicate) finishes a send that was cut short.
 */
export function onCoursePublished(deps: HandlerDeps) {
  return async (event: EventEnvelope<'course.published'>) => {
    const { courseId, instructorId, title, version } = event.data
    const outcome = await applyOnce(deps, event, async (trx) => {
      await upsertCourse(trx, { courseId, instructorId, title })
      await markDue(trx, courseId, version)
    })
    await notifyDueWaiters(deps, { courseId, version, title })
    return outcome
  }
}
