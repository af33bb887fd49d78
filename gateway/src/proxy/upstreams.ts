/** The services behind the gateway. */
export type UpstreamName = 'user' | 'course' | 'enrollment' | 'assessment' | 'notification'

export const UPSTREAM_NAMES: UpstreamName[] = ['user', 'course', 'enrollment', 'assessment', 'notification']

/** Path prefixes each service owns; a prefix matches itself and everything below it. */
export const UPSTREAM_PREFIXES: Record<UpstreamName, string[]> = {
  user: ['/api/v1/auth', '/api/v1/users', '/api/v1/audit-logs', '/.well-known/jwks.json'],
  course: ['/api/v1/courses', '/api/v1/categories'],
  enrollment: ['/api/v1/enrollments', '/api/v1/certificates'],
  assessment: ['/api/v1/assessments'],
  notification: ['/api/v1/notifications'],
}

/** Long-lived notification routes: streamed without any body timeout. */
export const NOTIFICATION_STREAM_PATH = '/api/v1/notifications/stream'
export const NOTIFICATION_WS_PATH = '/api/v1/notifications/ws'
export const LOGIN_PATH = '/api/v1/auth/login'
