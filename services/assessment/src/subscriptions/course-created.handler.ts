import type { Kysely } from 'kysely'
import { handleOnce, type EventEnvelope } from '@lms/events'
import type { Database } from '../database.js'
import { rememberDraftCourse } from '../read-models/repository.js'

/** course.created v1: the course's instructor may prepare assessments before it is published. */
export function onCourseCreated(db: Kysely<Database>) {
  return (event: EventEnvelope<'course.created'>) =>
    handleOnce(db, 'assessment', event, (trx) => rememberDraftCourse(trx, { id: event.data.courseId, instructorId: event.data.instructorId }))
}
