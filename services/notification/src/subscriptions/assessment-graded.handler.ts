import type { EventEnvelope } from '@lms/events'
import { createNotifications } from '../notifications/service.js'
import { applyOnce, type HandlerDeps } from './context.js'

export function onAssessmentGraded(deps: HandlerDeps) {
  return (event: EventEnvelope<'assessment.graded'>) => applyOnce(deps, event, async (trx) => {
    const { userId, courseId, assessmentId, score, passed, attemptNumber } = event.data
    const vars = {
      assessmentTitle: event.data.title ?? 'your assessment', assessmentId, courseId, score, attemptNumber,
      link: `${deps.appBaseUrl}/courses/${courseId}/assessments/${assessmentId}`,
    }
    return createNotifications(trx, passed ? 'assessment_passed' : 'assessment_retry', [{ userId, vars }])
  })
}
