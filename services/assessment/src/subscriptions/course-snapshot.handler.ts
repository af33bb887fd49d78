import type { EventEnvelope, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import { upsertCourse } from '../read-models/repository.js'

/** course.published and course.updated v1: keep who teaches the course and its status. */
export function onCourseSnapshot<T extends 'course.published' | 'course.updated'>(inbox: PgInbox<Database>) {
  return (event: EventEnvelope<T>) => inbox.handleOnce(event, (trx) => {
    const { courseId, instructorId, status, version } = event.data as EventEnvelope<'course.published'>['data']
    return upsertCourse(trx, { id: courseId, instructorId, status, version })
  })
}
