import type { EventEnvelope, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import { setEnrollment } from '../read-models/repository.js'

export function onEnrollmentDropped(inbox: PgInbox<Database>) {
  return (event: EventEnvelope<'enrollment.dropped'>) => inbox.handleOnce(event, (trx) => {
    const { enrollmentId, userId, courseId } = event.data
    return setEnrollment(trx, { enrollmentId, userId, courseId, active: false })
  })
}
