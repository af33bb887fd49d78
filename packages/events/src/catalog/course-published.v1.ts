import { CourseSnapshotV1 } from './course-snapshot.js'

/**
 * Payload of `course.published` v1 (published by the course service).
 *
 * @example
 * const event = createEvent('course.published', payload, { source: 'course' }) // payload: Static<typeof CoursePublishedV1>
 */
export const CoursePublishedV1 = CourseSnapshotV1
