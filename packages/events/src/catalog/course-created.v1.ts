import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `course.created` v1 (published by the course service when a course is created or cloned).
 *
 * @example
 * const event = createEvent('course.created', payload, { source: 'course' }) // payload: Static<typeof CourseCreatedV1>
 */
export const CourseCreatedV1 = Type.Object({
  courseId: Uuid,
  instructorId: Uuid,
  title: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]),
})
