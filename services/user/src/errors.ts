import { defineErrors } from '@lms/kit'

export const errors = defineErrors({
  USR_ERR_EMAIL_TAKEN: { status: 409, message: 'An account with this email already exists' },
  USR_ERR_INVALID_CREDENTIALS: { status: 401, message: 'The email or password is wrong' },
  USR_ERR_INVALID_REFRESH_TOKEN: { status: 401, message: 'The refresh token is not valid' },
  USR_ERR_REFRESH_TOKEN_REUSED: { status: 401, message: 'The refresh token was already used; the session has been ended' },
  USR_ERR_PASSWORD_TOO_LONG: { status: 400, message: 'The password must be at most 72 bytes (UTF-8)' },
  USR_ERR_PASSWORD_TOO_SHORT: { status: 400, message: 'The password is too short' },
  USR_ERR_WRONG_PASSWORD: { status: 403, message: 'The current password is wrong' },
  USR_ERR_USER_NOT_FOUND: { status: 404, message: 'No such user' },
  USR_ERR_LAST_ADMIN: { status: 409, message: 'The last admin cannot be demoted or deleted' },
})
