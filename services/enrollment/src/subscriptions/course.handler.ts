import type { EventData, EventEnvelope, PgInbox } from '@lms/events'
import { applyCourseSnapshot, archiveCourse } from '../courses/service.js'
import type { Database } from '../database.js'

/** course.published and course.updated carry the full snapshot; an older version than the stored one is ignored. */
export function onCourseSnapshot(inbox: PgInbox<Database>) {
  return <T extends 'course.published' | 'course.updated'>(event: EventEnvelope<T>) =>
    inbox.handleOnce(event, (trx) => applyCourseSnapshot(trx, event.data as EventData<'course.published'>))
}

export function onCourseArchived(inbox: PgInbox<Database>) {
  return (event: EventEnvelope<'course.archived'>) => inbox.handleOnce(event, (trx) => archiveCourse(trx, event.data.courseId))
}
