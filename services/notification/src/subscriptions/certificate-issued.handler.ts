import type { EventEnvelope } from '@lms/events'
import { findCourse } from '../audience/repository.js'
import { createNotifications } from '../notifications/service.js'
import { applyOnce, type HandlerDeps } from './context.js'

export function onCertificateIssued(deps: HandlerDeps) {
  return (event: EventEnvelope<'certificate.issued'>) => applyOnce(deps, event, async (trx) => {
    const { userId, courseId, certificateId, verificationCode } = event.data
    const courseTitle = event.data.courseTitle ?? (await findCourse(trx, courseId))?.title ?? 'your course'
    return createNotifications(trx, 'certificate_issued', [{
      userId, vars: { courseTitle, courseId, certificateId, verificationCode, link: `${deps.appBaseUrl}/certificates/${certificateId}` },
    }])
  })
}
