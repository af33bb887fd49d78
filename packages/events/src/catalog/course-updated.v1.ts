import { CourseSnapshotV1 } from './course-snapshot.js'

/**
 * Payload of `course.updated` v1 (published by the course service).
 *
 * @example
 * const event = createEvent('course.updated', payload, { source: 'course' }) // payload: Static<typeof CourseUpdatedV1>
 */
export const CourseUpdatedV1 = CourseSnapshotV1
