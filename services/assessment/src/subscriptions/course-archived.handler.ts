import type { EventEnvelope, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import { archiveCourse } from '../read-models/repository.js'

export function onCourseArchived(inbox: PgInbox<Database>) {
  return (event: EventEnvelope<'course.archived'>) => inbox.handleOnce(event, (trx) => archiveCourse(trx, event.data.courseId))
}
