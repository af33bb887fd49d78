import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `course.archived` v1 (published by the course service).
 *
 * @example
 * const event = createEvent('course.archived', payload, { source: 'course' }) // payload: Static<typeof CourseArchivedV1>
 */
export const CourseArchivedV1 = Type.Object({ courseId: Uuid })
