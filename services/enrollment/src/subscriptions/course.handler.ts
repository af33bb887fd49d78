import type { Kysely } from 'kysely'
import { handleOnce, type EventData, type EventEnvelope } from '@lms/events'
import { applyCourseSnapshot, archiveCourse } from '../courses/service.js'
import type { Database } from '../database.js'
import { CONSUMER } from './consumer-name.js'

/** course.published and course.updated carry the full snapshot; an older version than the stored one is ignored. */
export function onCourseSnapshot(db: Kysely<Database>) {
  return <T extends 'course.published' | 'course.updated'>(event: EventEnvelope<T>) =>
    handleOnce(db, CONSUMER, event, (trx) => applyCourseSnapshot(trx, event.data as EventData<'course.published'>))
}

export function onCourseArchived(db: Kysely<Database>) {
  return (event: EventEnvelope<'course.archived'>) => handleOnce(db, CONSUMER, event, (trx) => archiveCourse(trx, event.data.courseId))
}
