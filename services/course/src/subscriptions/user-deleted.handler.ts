import type { EventEnvelope } from '@lms/events'
import { handleInstructorDeleted } from '../courses/service.js'
import type { ServiceDeps } from '../service-deps.js'
import { handleOnceMongo } from './inbox.js'

/**
 * `user.deleted`: the user's courses are reassigned to REASSIGN_TO_ADMIN_ID
 * (USER_DELETED_POLICY=reassign) or archived (=archive, the default).
 */
export function userDeletedHandler(deps: ServiceDeps) {
  return async (event: EventEnvelope<'user.deleted'>) => {
    const result = await handleOnceMongo(deps.db, event.id, event.type, async () => {
      const changed = await handleInstructorDeleted(deps, event.data.userId)
      deps.log.info({ userId: event.data.userId, changed, policy: deps.config.USER_DELETED_POLICY }, 'user.deleted handled')
    })
    return result === 'duplicate' ? 'duplicate' : undefined
  }
}
