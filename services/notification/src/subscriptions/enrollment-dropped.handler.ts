import type { EventEnvelope } from '@lms/events'
import { removeStudent } from '../audience/repository.js'
import { applyOnce, type HandlerDeps } from './context.js'

export function onEnrollmentDropped(deps: HandlerDeps) {
  return (event: EventEnvelope<'enrollment.dropped'>) => applyOnce(deps, event, async (trx) => {
    await removeStudent(trx, event.data.courseId, event.data.userId)
  })
}
