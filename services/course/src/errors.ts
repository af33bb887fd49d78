import { defineErrors } from '@lms/kit'

/** Every error the course service answers with (code → status, default detail). */
export const errors = defineErrors({
  // courses
  COURSE_ERR_NOT_FOUND: { status: 404, message: 'The course does not exist' },
  COURSE_ERR_CODE_TAKEN: { status: 409, message: 'A course with this code already exists' },
  COURSE_ERR_VERSION_CONFLICT: { status: 409, message: 'The course changed meanwhile; read it again and retry' },
  COURSE_ERR_INVALID_TRANSITION: { status: 409, message: 'The course cannot move to that status from its current one' },
  COURSE_ERR_ARCHIVED: { status: 409, message: 'An archived course cannot be changed' },
  COURSE_ERR_NO_LESSONS: { status: 422, message: 'A course needs at least one lesson to be published' },
  COURSE_ERR_REVIEW_REQUIRED: { status: 403, message: 'Only an admin can publish a course under review' },
  COURSE_ERR_NOT_OWNER: { status: 403, message: 'Only the course instructor or an admin can do this' },
  COURSE_ERR_CATEGORY_UNKNOWN: { status: 422, message: 'The category does not exist' },
  COURSE_ERR_EMPTY_UPDATE: { status: 400, message: 'The update names no field' },
  // versions
  COURSE_ERR_VERSION_NOT_FOUND: { status: 404, message: 'The course has no such published version' },
  // modules and lessons
  COURSE_ERR_MODULE_NOT_FOUND: { status: 404, message: 'The module does not exist in this course' },
  COURSE_ERR_LESSON_NOT_FOUND: { status: 404, message: 'The lesson does not exist in this module' },
  COURSE_ERR_NOT_A_PERMUTATION: { status: 422, message: 'The order must list every existing id exactly once' },
  COURSE_ERR_BAD_PREREQUISITE: { status: 422, message: 'A prerequisite must be another lesson of the same course' },
  COURSE_ERR_ASSESSMENT_ID_REQUIRED: { status: 422, message: 'An assessment lesson needs an assessmentId' },
  // categories
  COURSE_ERR_CATEGORY_NOT_FOUND: { status: 404, message: 'The category does not exist' },
  COURSE_ERR_CATEGORY_NAME_TAKEN: { status: 409, message: 'A category with this name already exists' },
  COURSE_ERR_CATEGORY_IN_USE: { status: 409, message: 'Courses still use this category' },
  // content
  COURSE_ERR_CONTENT_NOT_FOUND: { status: 404, message: 'The content does not exist' },
  COURSE_ERR_CONTENT_TYPE: { status: 415, message: 'This file type is not accepted' },
  COURSE_ERR_CONTENT_TOO_LARGE: { status: 413, message: 'The file exceeds the size limit' },
  COURSE_ERR_CONTENT_MISSING: { status: 400, message: 'A multipart body with one file field is required' },
  COURSE_ERR_RANGE: { status: 416, message: 'The requested range cannot be satisfied' },
})
