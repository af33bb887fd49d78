import type { EventEnvelope } from '@lms/events'
import { findContact, updateContactRole } from '../audience/repository.js'
import { createNotifications } from '../notifications/service.js'
import { applyOnce, type HandlerDeps } from './context.js'

/** Keeps the role for bulk sends and tells the person, as a security notice that can't be muted. */
export function onUserRoleChanged(deps: HandlerDeps) {
  return (event: EventEnvelope<'user.role_changed'>) => applyOnce(deps, event, async (trx) => {
    const { userId, oldRole, newRole, email } = event.data
    await updateContactRole(trx, userId, newRole, email)
    const contact = await findContact(trx, userId)
    return createNotifications(trx, 'security_notice', [{
      userId, vars: { fullName: contact?.fullName ?? '', message: `Your role changed from ${oldRole} to ${newRole}. If you did not expect this, contact support.` },
    }])
  })
}
