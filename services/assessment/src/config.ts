import Type, { type Static } from 'typebox'
import { AuthConfig, BaseConfig, loadConfig } from '@lms/kit'

export const AssessmentConfigSchema = Type.Object({
  ...BaseConfig.properties,
  ...AuthConfig.properties,
  PORT: Type.Integer({ default: 8084 }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  DATABASE_SCHEMA: Type.String({ default: 'assessments', pattern: '^[a-z_][a-z0-9_]*$' }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
  AMQP_URL: Type.String({ minLength: 1 }),
  /** Redis, where the user service keeps sessions: tokens of ended sessions are refused. */
  REDIS_URL: Type.String({ minLength: 1 }),
  /** How long after an attempt's deadline a submission is still accepted (marked late); later ones are refused. */
  SUBMIT_GRACE_SECONDS: Type.Integer({ minimum: 0, default: 120 }),
})

export type AssessmentConfig = Static<typeof AssessmentConfigSchema>

export function loadAssessmentConfig(env: Record<string, string | undefined>): AssessmentConfig {
  return loadConfig(AssessmentConfigSchema, env)
}
