import type { Kysely } from 'kysely'
import { handleOnce, type EventEnvelope } from '@lms/events'
import type { Database } from '../database.js'
import type { EnrollmentService } from '../enrollments/service.js'
import { CONSUMER } from './consumer-name.js'

/** See subscriptions/README.md: enrollments of a deleted user are anonymised, not removed. */
export function onUserDeleted(db: Kysely<Database>, enrollments: EnrollmentService) {
  return (event: EventEnvelope<'user.deleted'>) => handleOnce(db, CONSUMER, event, (trx) => enrollments.anonymiseUser(trx, event.data.userId))
}
