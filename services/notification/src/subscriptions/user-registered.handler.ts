import type { EventEnvelope } from '@lms/events'
import { upsertContact } from '../audience/repository.js'
import { createNotifications } from '../notifications/service.js'
import { applyOnce, type HandlerDeps } from './context.js'

export function onUserRegistered(deps: HandlerDeps) {
  return (event: EventEnvelope<'user.registered'>) => applyOnce(deps, event, async (trx) => {
    const { userId, email, fullName, role } = event.data
    await upsertContact(trx, { userId, email, fullName, role })
    return createNotifications(trx, 'welcome', [{ userId, vars: { fullName, link: `${deps.appBaseUrl}/courses` } }])
  })
}
