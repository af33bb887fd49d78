import type { Kysely } from 'kysely'
import { handleOnce, type EventEnvelope } from '@lms/events'
import type { Database } from '../database.js'
import { setEnrollment } from '../read-models/repository.js'

export function onEnrollmentDropped(db: Kysely<Database>) {
  return (event: EventEnvelope<'enrollment.dropped'>) => handleOnce(db, 'assessment', event, (trx) => {
    const { enrollmentId, userId, courseId } = event.data
    return setEnrollment(trx, { enrollmentId, userId, courseId, active: false })
  })
}
