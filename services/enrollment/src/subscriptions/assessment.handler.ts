import type { EventData, EventEnvelope, PgInbox } from '@lms/events'
import { upsertCourseAssessment } from '../courses/service.js'
import type { Database } from '../database.js'
import type { EnrollmentService } from '../enrollments/service.js'

export function onAssessmentDefined(inbox: PgInbox<Database>) {
  return <T extends 'assessment.created' | 'assessment.updated'>(event: EventEnvelope<T>) =>
    inbox.handleOnce(event, (trx) => {
      const data = event.data as EventData<'assessment.created'>
      return upsertCourseAssessment(trx, { assessmentId: data.assessmentId, courseId: data.courseId, required: data.required, deleted: false })
    })
}

export function onAssessmentDeleted(inbox: PgInbox<Database>) {
  return (event: EventEnvelope<'assessment.deleted'>) =>
    inbox.handleOnce(event, (trx) => upsertCourseAssessment(trx, {
      assessmentId: event.data.assessmentId, courseId: event.data.courseId, required: event.data.required, deleted: true,
    }))
}

/** A passed attempt may be the last step of a course: the enrollment completes in the same transaction. */
export function onAssessmentGraded(inbox: PgInbox<Database>, enrollments: EnrollmentService, onCompleted?: () => void) {
  return async (event: EventEnvelope<'assessment.graded'>) => {
    let completed = false
    const result = await inbox.handleOnce(event, async (trx) => {
      completed = await enrollments.recordGrade(trx, event.data)
    })
    if (completed) onCompleted?.()
    return result
  }
}
