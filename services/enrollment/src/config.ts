import Type, { type Static } from 'typebox'
import { AuthConfig, BaseConfig, loadConfig } from '@lms/kit'

export const EnrollmentConfigSchema = Type.Object({
  ...BaseConfig.properties,
  ...AuthConfig.properties,
  PORT: Type.Integer({ default: 8083 }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  DATABASE_SCHEMA: Type.String({ default: 'enrollments', pattern: '^[a-z_][a-z0-9_]*$' }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
  AMQP_URL: Type.String({ minLength: 1 }),
  /** Redis of the user service's sessions: a token of an ended session is refused here too. */
  REDIS_URL: Type.String({ minLength: 1 }),
})

export type EnrollmentConfig = Static<typeof EnrollmentConfigSchema>

export function loadEnrollmentConfig(env: Record<string, string | undefined>): EnrollmentConfig {
  return loadConfig(EnrollmentConfigSchema, env)
}
