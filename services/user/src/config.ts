import Type, { type Static } from 'typebox'
import { BaseConfig, loadConfig } from '@lms/kit'

export const UserConfigSchema = Type.Object({
  ...BaseConfig.properties,
  PORT: Type.Integer({ default: 8081 }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  DATABASE_SCHEMA: Type.String({ default: 'users', pattern: '^[a-z_][a-z0-9_]*$' }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
  REDIS_URL: Type.String({ minLength: 1 }),
  AMQP_URL: Type.String({ minLength: 1 }),
  JWT_ISSUER: Type.String({ default: 'lms-user-service' }),
  JWT_AUDIENCE: Type.String({ default: 'lms' }),
  /** Comma-separated PEM files; the first signs, every one is published in the JWKS (rotation). */
  JWT_PRIVATE_KEY_FILES: Type.String({ minLength: 1 }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 3600, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 3600, default: 30 * 24 * 3600 }),
  BCRYPT_COST: Type.Integer({ minimum: 10, maximum: 15, default: 12 }),
  PASSWORD_MIN_LENGTH: Type.Integer({ minimum: 8, maximum: 72, default: 10 }),
  /** Refuse (503, Retry-After) a register/login/password change whose bcrypt would queue longer than this. */
  PASSWORD_MAX_WAIT_MS: Type.Integer({ minimum: 0, default: 5000 }),
  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 10 })),
})

export type UserConfig = Static<typeof UserConfigSchema>

export function loadUserConfig(env: Record<string, string | undefined>): UserConfig {
  return loadConfig(UserConfigSchema, env)
}
