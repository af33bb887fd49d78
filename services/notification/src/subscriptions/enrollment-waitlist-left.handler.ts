import type { EventEnvelope } from '@lms/events'
import { markLeft } from '../waitlist/repository.js'
import { applyOnce, type HandlerDeps } from './context.js'

/** A promoted student hears of the enrollment through enrollment.created; leaving is the student's own act. */
export function onEnrollmentWaitlistLeft(deps: HandlerDeps) {
  return (event: EventEnvelope<'enrollment.waitlist_left'>) => applyOnce(deps, event, async (trx) => {
    const { waitlistEntryId, userId, courseId } = event.data
    await markLeft(trx, { entryId: waitlistEntryId, courseId, userId })
  })
}
