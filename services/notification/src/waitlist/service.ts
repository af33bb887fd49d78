import type { Kysely } from 'kysely'
import type { Database } from '../database.js'
import { createNotifications, type NotificationPublisher } from '../notifications/service.js'
import { takeDue } from './repository.js'

export interface WaitlistNotifierDeps {
  db: Kysely<Database>
  publisher: NotificationPublisher
  appBaseUrl: string
  batchSize: number
  onQueued?: () => void
}

/**
 * Tells every student marked due for this course version that the course was published, one
 * batch per transaction (a large waitlist never holds one giant transaction). Each batch marks its
 * entries notified with its notifications, so a send cut short resumes with the rest on redelivery
 * and nobody hears of one version twice.
 */
export async function notifyDueWaiters(deps: WaitlistNotifierDeps, course: { courseId: string; version: number; title: string }) {
  const vars = { courseTitle: course.title, courseId: course.courseId, link: `${deps.appBaseUrl}/courses/${course.courseId}` }
  let notified = 0
  for (;;) {
    const { rows, taken } = await deps.db.transaction().execute(async (trx) => {
      const userIds = await takeDue(trx, course.courseId, course.version, deps.batchSize)
      const recipients = [...new Set(userIds)].map((userId) => ({ userId, vars }))
      return { rows: await createNotifications(trx, 'waitlist_course_published', recipients), taken: userIds.length }
    })
    notified += taken
    if (taken > 0) deps.onQueued?.()
    if (rows.length > 0) await deps.publisher.publish(rows)
    if (taken < deps.batchSize) return notified
  }
}
