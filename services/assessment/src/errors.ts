import { defineErrors } from '@lms/kit'

export const errors = defineErrors({
  ASM_ERR_COURSE_NOT_FOUND: { status: 404, message: 'No such course' },
  ASM_ERR_NOT_COURSE_INSTRUCTOR: { status: 403, message: 'Only the course instructor or an admin may do this' },
  ASM_ERR_ASSESSMENT_NOT_FOUND: { status: 404, message: 'No such assessment' },
  ASM_ERR_REQUIRED_WITHOUT_QUESTIONS: { status: 422, message: 'A required assessment must have at least one question' },
  ASM_ERR_INVALID_QUESTION: { status: 422, message: 'A question is not consistent with its type' },
  ASM_ERR_INVALID_WINDOW: { status: 422, message: 'closesAt must be after opensAt' },
  ASM_ERR_GRADING_LOCKED: { status: 409, message: 'Attempts exist: fields that change grading can no longer be edited' },
  ASM_ERR_NOT_ENROLLED: { status: 403, message: 'Only students enrolled in the course may take this assessment' },
  ASM_ERR_NOT_AVAILABLE: { status: 422, message: 'The assessment is not open now' },
  ASM_ERR_COURSE_ARCHIVED: { status: 422, message: 'The course is archived' },
  ASM_ERR_NO_QUESTIONS: { status: 422, message: 'The assessment has no questions' },
  ASM_ERR_MAX_ATTEMPTS: { status: 409, message: 'No attempts left for this assessment' },
  ASM_ERR_ATTEMPT_NOT_FOUND: { status: 404, message: 'No such attempt' },
  ASM_ERR_ALREADY_SUBMITTED: { status: 409, message: 'This attempt was already submitted' },
  ASM_ERR_NOT_SUBMITTED: { status: 409, message: 'This attempt has not been submitted yet' },
  ASM_ERR_QUESTION_NOT_IN_ATTEMPT: { status: 422, message: 'An answer refers to a question that is not part of this attempt' },
  ASM_ERR_UNKNOWN_CHOICE: { status: 422, message: 'An answer refers to a choice that does not exist' },
  ASM_ERR_DUPLICATE_ANSWER: { status: 422, message: 'A question is answered more than once' },
  ASM_ERR_DEADLINE_PASSED: { status: 422, message: 'The attempt deadline and its grace period have passed' },
  ASM_ERR_INVALID_POINTS: { status: 400, message: 'Points must be between 0 and the question\'s maximum' },
})
