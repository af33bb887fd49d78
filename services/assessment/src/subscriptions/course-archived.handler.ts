import type { Kysely } from 'kysely'
import { handleOnce, type EventEnvelope } from '@lms/events'
import type { Database } from '../database.js'
import { archiveCourse } from '../read-models/repository.js'

export function onCourseArchived(db: Kysely<Database>) {
  return (event: EventEnvelope<'course.archived'>) => handleOnce(db, 'assessment', event, (trx) => archiveCourse(trx, event.data.courseId))
}
