import type { EventEnvelope } from '@lms/events'
import { deleteContact } from '../audience/repository.js'
import { deleteAllForUser } from '../notifications/repository.js'
import { deletePreferences } from '../preferences/repository.js'
import { deleteEntriesOfUser } from '../waitlist/repository.js'
import { applyOnce, type HandlerDeps } from './context.js'

export function onUserDeleted(deps: HandlerDeps) {
  return (event: EventEnvelope<'user.deleted'>) => applyOnce(deps, event, async (trx) => {
    await deleteAllForUser(trx, event.data.userId)
    await deletePreferences(trx, event.data.userId)
    await deleteContact(trx, event.data.userId)
    await deleteEntriesOfUser(trx, event.data.userId)
  })
}
