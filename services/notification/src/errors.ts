import { defineErrors } from '@lms/kit'

export const errors = defineErrors({
  NTF_ERR_NOT_FOUND: { status: 404, message: 'No such notification' },
  NTF_ERR_UNKNOWN_TYPE: { status: 400, message: 'Unknown notification type' },
  NTF_ERR_UNKNOWN_CHANNEL: { status: 400, message: 'Unknown notification channel' },
  NTF_ERR_NOT_MUTABLE: { status: 422, message: 'This notification type cannot be muted' },
  NTF_ERR_COURSE_NOT_YOURS: { status: 403, message: 'You can only message students of your own courses' },
  NTF_ERR_COURSE_REQUIRED: { status: 400, message: 'An instructor must name the course to message' },
  NTF_ERR_UNKNOWN_COURSE: { status: 404, message: 'No such course' },
})
