import type { Kysely } from 'kysely'
import { uuidv7 } from 'uuidv7'
import { handleOnce, type EventEnvelope } from '@lms/events'
import type { Database } from '../database.js'
import { anonymiseAttempts, forgetUserEnrollments } from '../read-models/repository.js'

/** Attempts are kept for item statistics under a fresh id that leads back to no one; free-text answers go. */
export function onUserDeleted(db: Kysely<Database>) {
  return (event: EventEnvelope<'user.deleted'>) => handleOnce(db, 'assessment', event, async (trx) => {
    await anonymiseAttempts(trx, event.data.userId, uuidv7())
    await forgetUserEnrollments(trx, event.data.userId)
  })
}
