import type { EventEnvelope, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import { rememberDraftCourse } from '../read-models/repository.js'

/** course.created v1: the course's instructor may prepare assessments before it is published. */
export function onCourseCreated(inbox: PgInbox<Database>) {
  return (event: EventEnvelope<'course.created'>) =>
    inbox.handleOnce(event, (trx) => rememberDraftCourse(trx, { id: event.data.courseId, instructorId: event.data.instructorId }))
}
