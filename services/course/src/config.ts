import { AuthConfig, BaseConfig, loadConfig } from '@lms/kit'
import Type, { type Static } from 'typebox'

export const CourseConfig = Type.Object({
  ...BaseConfig.properties,
  ...AuthConfig.properties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8082 }),
  MONGO_URL: Type.String({ minLength: 1 }),
  MONGO_DB: Type.String({ minLength: 1, default: 'courses' }),
  REDIS_URL: Type.String({ minLength: 1 }),
  AMQP_URL: Type.String({ minLength: 1 }),
  /** Prefix of every Redis key this service writes (DESIGN §8). */
  CACHE_PREFIX: Type.String({ default: 'course:' }),
  /** Off: every read goes to MongoDB (the benchmark's baseline). */
  CACHE_ENABLED: Type.Boolean({ default: true }),
  CACHE_COURSE_TTL_SECONDS: Type.Integer({ minimum: 1, default: 1800 }),
  CACHE_LIST_TTL_SECONDS: Type.Integer({ minimum: 1, default: 300 }),
  /** When true an instructor submits for review and an admin publishes; when false the instructor publishes. */
  COURSE_REVIEW_REQUIRED: Type.Boolean({ default: true }),
  CONTENT_MAX_BYTES: Type.Integer({ minimum: 1, default: 100 * 1024 * 1024 }),
  CONTENT_ALLOWED_TYPES: Type.String({
    default: 'application/pdf,image/png,image/jpeg,image/gif,image/webp,video/mp4,video/webm',
  }),
  USER_DELETED_POLICY: Type.Union([Type.Literal('reassign'), Type.Literal('archive')], { default: 'archive' }),
  REASSIGN_TO_ADMIN_ID: Type.Optional(Type.String({ format: 'uuid' })),
  /** Off for processes that only serve HTTP (the benchmark); the relay and consumer need RabbitMQ. */
  EVENTS_ENABLED: Type.Boolean({ default: true }),
})

export type Config = Static<typeof CourseConfig>

/**
 * The service's config from an env map; also checks rules that span variables.
 *
 * @example
 * const config = readConfig(process.env)
 */
export function readConfig(env: Record<string, string | undefined>): Config {
  const config = loadConfig(CourseConfig, env)
  if (config.USER_DELETED_POLICY === 'reassign' && !config.REASSIGN_TO_ADMIN_ID) {
    throw new Error('invalid configuration: REASSIGN_TO_ADMIN_ID: is required when USER_DELETED_POLICY=reassign')
  }
  return config
}
