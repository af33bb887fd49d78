import type { EventEnvelope, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import { forgetLearner, rememberLearner } from '../certificates/service.js'
import type { EnrollmentService } from '../enrollments/service.js'

/** See subscriptions/README.md: enrollments of a deleted user are anonymised, not removed. */
export function onUserDeleted(inbox: PgInbox<Database>, enrollments: EnrollmentService) {
  return (event: EventEnvelope<'user.deleted'>) => inbox.handleOnce(event, async (trx) => {
    await forgetLearner(trx, event.data.userId)
    return enrollments.anonymiseUser(trx, event.data.userId)
  })
}

/** user.registered: the name printed on the learner's certificates. */
export function onUserRegistered(inbox: PgInbox<Database>) {
  return (event: EventEnvelope<'user.registered'>) =>
    inbox.handleOnce(event, (trx) => rememberLearner(trx, { userId: event.data.userId, fullName: event.data.fullName }))
}
