import type { EventEnvelope } from '@lms/events'
import { addStudent, findContact, findCourse } from '../audience/repository.js'
import { createNotifications } from '../notifications/service.js'
import { applyOnce, type HandlerDeps } from './context.js'

/** Confirms to the student and, like the seed's NotifyInstructors, tells the instructor. */
export function onEnrollmentCreated(deps: HandlerDeps) {
  return (event: EventEnvelope<'enrollment.created'>) => applyOnce(deps, event, async (trx) => {
    const { userId, courseId } = event.data
    await addStudent(trx, courseId, userId)
    const course = await findCourse(trx, courseId)
    const courseTitle = event.data.courseTitle ?? course?.title ?? 'your course'
    const instructorId = event.data.instructorId ?? course?.instructorId
    const student = await findContact(trx, userId)
    const link = `${deps.appBaseUrl}/courses/${courseId}`
    const rows = await createNotifications(trx, 'enrollment_confirmed', [{ userId, vars: { fullName: student?.fullName ?? '', courseTitle, courseId, link } }])
    if (instructorId && instructorId !== userId) {
      rows.push(...await createNotifications(trx, 'instructor_new_enrollment', [{
        userId: instructorId, vars: { studentName: student?.fullName ?? 'A new student', courseTitle, courseId, link },
      }]))
    }
    return rows
  })
}
