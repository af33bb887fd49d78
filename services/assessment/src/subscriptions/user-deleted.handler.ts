import { uuidv7 } from 'uuidv7'
import type { EventEnvelope, PgInbox } from '@lms/events'
import type { Database } from '../database.js'
import { anonymiseAttempts, forgetUserEnrollments } from '../read-models/repository.js'

/** Attempts are kept for item statistics under a fresh id that leads back to no one; free-text answers go. */
export function onUserDeleted(inbox: PgInbox<Database>) {
  return (event: EventEnvelope<'user.deleted'>) => inbox.handleOnce(event, async (trx) => {
    await anonymiseAttempts(trx, event.data.userId, uuidv7())
    await forgetUserEnrollments(trx, event.data.userId)
  })
}
