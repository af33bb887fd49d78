import { createEvent, type AnyEventEnvelope } from '@lms/events'
import type { CourseDoc } from '../courses/table.js'

const SOURCE = 'course'

function snapshotData(course: CourseDoc) {
  const status: 'draft' | 'published' | 'archived' = course.status === 'in_review' ? 'draft' : course.status
  return {
    courseId: course._id,
    version: course.version,
    title: course.title,
    instructorId: course.instructorId,
    capacity: course.capacity,
    status,
    modules: course.modules.map((m) => ({
      id: m.id,
      lessons: m.lessons.map((l) => ({ id: l.id, prerequisiteLessonIds: l.prerequisiteLessonIds })),
    })),
    requiredAssessmentIds: [
      ...new Set(course.modules.flatMap((m) => m.lessons.flatMap((l) => (l.lessonType === 'assessment' && l.assessmentId ? [l.assessmentId] : [])))),
    ],
  }
}

/**
 * The events a change from `before` to `after` publishes (they go into the
 * same document write through the outbox): publishing → course.published,
 * any change while published → course.updated, archiving a course that was
 * ever published → course.archived. Drafts publish nothing.
 */
export function eventsForChange(before: CourseDoc | null, after: CourseDoc): AnyEventEnvelope[] {
  const was = before?.status
  if (after.status === 'published' && was !== 'published') {
    return [createEvent('course.published', snapshotData(after), { source: SOURCE }) as AnyEventEnvelope]
  }
  if (after.status === 'published') {
    return [createEvent('course.updated', snapshotData(after), { source: SOURCE }) as AnyEventEnvelope]
  }
  if (after.status === 'archived' && was !== 'archived' && after.publishedVersion > 0) {
    return [createEvent('course.archived', { courseId: after._id }, { source: SOURCE }) as AnyEventEnvelope]
  }
  return []
}
