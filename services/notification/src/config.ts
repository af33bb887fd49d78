import Type, { type Static } from 'typebox'
import { AuthConfig, BaseConfig, loadConfig } from '@lms/kit'

export const NotificationConfigSchema = Type.Object({
  ...BaseConfig.properties,
  ...AuthConfig.properties,
  PORT: Type.Integer({ default: 8085 }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  DATABASE_SCHEMA: Type.String({ default: 'notifications', pattern: '^[a-z_][a-z0-9_]*$' }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
  REDIS_URL: Type.String({ minLength: 1 }),
  AMQP_URL: Type.String({ minLength: 1 }),
  SMTP_URL: Type.String({ minLength: 1, default: 'smtp://127.0.0.1:1025' }),
  SMTP_FROM: Type.String({ minLength: 3, default: 'LMS <no-reply@lms.local>' }),
  EMAIL_POLL_MS: Type.Integer({ minimum: 10, default: 1000 }),
  EMAIL_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
  EMAIL_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 6 }),
  EMAIL_RETRY_BASE_MS: Type.Integer({ minimum: 1, default: 30_000 }),
  BULK_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 5000, default: 100 }),
  /** Bytes a real-time connection may have unsent before it is dropped as too slow. */
  STREAM_MAX_BUFFER_BYTES: Type.Integer({ minimum: 1024, default: 256 * 1024 }),
  STREAM_HEARTBEAT_MS: Type.Integer({ minimum: 1000, default: 15_000 }),
  APP_BASE_URL: Type.String({ default: 'http://localhost:8080' }),
})

export type NotificationConfig = Static<typeof NotificationConfigSchema>

export function loadNotificationConfig(env: Record<string, string | undefined>): NotificationConfig {
  return loadConfig(NotificationConfigSchema, env)
}
