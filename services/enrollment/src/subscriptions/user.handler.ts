import type { Kysely } from 'kysely'
import { handleOnce, type EventEnvelope } from '@lms/events'
import type { Database } from '../database.js'
import { forgetLearner, rememberLearner } from '../certificates/service.js'
import type { EnrollmentService } from '../enrollments/service.js'
import { CONSUMER } from './consumer-name.js'

/** See subscriptions/README.md: enrollments of a deleted user are anonymised, not removed. */
export function onUserDeleted(db: Kysely<Database>, enrollments: EnrollmentService) {
  return (event: EventEnvelope<'user.deleted'>) => handleOnce(db, CONSUMER, event, async (trx) => {
    await forgetLearner(trx, event.data.userId)
    return enrollments.anonymiseUser(trx, event.data.userId)
  })
}

/** user.registered: the name printed on the learner's certificates. */
export function onUserRegistered(db: Kysely<Database>) {
  return (event: EventEnvelope<'user.registered'>) =>
    handleOnce(db, CONSUMER, event, (trx) => rememberLearner(trx, { userId: event.data.userId, fullName: event.data.fullName }))
}
