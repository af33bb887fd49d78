/**
 * @lms/client — typed SDK of the LMS gateway for browsers and Node ≥ 20 (fetch only).
 *
 * @example
 * import { createLmsClient, LmsProblemError } from '@lms/client'
 * const client = createLmsClient({ baseUrl: 'http://127.0.0.1:8080' })
 * await client.auth.login({ email: 'ada@example.com', password: '…' })
 * const me = await client.users.profile()
 */
export { createLmsClient, type LmsClient } from './client.js'
export { LmsProblemError, type FieldError } from './errors.js'
export { memoryTokenStorage, withQuery, type ClientOptions, type RequestOptions, type TokenStorage, type Tokens, type WriteOptions } from './transport.js'
export { paginate, collect } from './pagination.js'
export { sseParser, type NotificationStream, type NotificationStreamOptions } from './notification-stream.js'
export type * from './types.js'
