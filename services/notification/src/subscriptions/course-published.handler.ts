import type { EventEnvelope } from '@lms/events'
import { upsertCourse } from '../audience/repository.js'
import { applyOnce, type HandlerDeps } from './context.js'

/** course.published and course.updated carry the same snapshot: who teaches the course, for bulk sends. */
export function onCourseSnapshot<T extends 'course.published' | 'course.updated'>(deps: HandlerDeps) {
  return (event: EventEnvelope<T>) => applyOnce(deps, event, async (trx) => {
    const { courseId, instructorId, title } = event.data as EventEnvelope<'course.published'>['data']
    await upsertCourse(trx, { courseId, instructorId, title })
  })
}
