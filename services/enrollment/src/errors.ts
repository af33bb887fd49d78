import { defineErrors } from '@lms/kit'

export const errors = defineErrors({
  ENR_ERR_COURSE_NOT_AVAILABLE: { status: 404, message: 'No published course with this id is known to the enrollment service (yet)' },
  ENR_ERR_COURSE_NOT_OPEN: { status: 422, message: 'The course is not open for enrollment (draft or archived)' },
  ENR_ERR_ALREADY_ENROLLED: { status: 409, message: 'The user already has an enrollment in this course' },
  ENR_ERR_COURSE_FULL: { status: 409, message: 'The course has no free seat' },
  ENR_ERR_ENROLLMENT_NOT_FOUND: { status: 404, message: 'No such enrollment' },
  ENR_ERR_ENROLLMENT_DROPPED: { status: 409, message: 'The enrollment was dropped' },
  ENR_ERR_NOT_ACTIVE: { status: 409, message: 'Only an active enrollment can be dropped' },
  ENR_ERR_LESSON_NOT_IN_COURSE: { status: 422, message: 'The lesson is not part of this course' },
  ENR_ERR_PREREQUISITES_NOT_MET: { status: 422, message: 'The lesson\'s prerequisite lessons are not completed' },
  ENR_ERR_COURSE_NOT_FOUND: { status: 404, message: 'No such course' },
  ENR_ERR_CERTIFICATE_NOT_FOUND: { status: 404, message: 'No such certificate' },
  ENR_ERR_ALREADY_WAITLISTED: { status: 409, message: 'The user is already on this course\'s waitlist' },
  ENR_ERR_WAITLIST_ENTRY_NOT_FOUND: { status: 404, message: 'No such waitlist entry' },
  ENR_ERR_WAITLIST_ENTRY_PROMOTED: { status: 409, message: 'The waitlist entry was already promoted to an enrollment' },
})
