import { AuthConfig, BaseConfig, loadConfig } from '@lms/kit'
import Type, { type Static } from 'typebox'

const Url = (fallback: string) => Type.String({ format: 'uri', default: fallback })
const Count = (fallback: number) => Type.Integer({ minimum: 1, default: fallback })
const Millis = (fallback: number) => Type.Integer({ minimum: 1, default: fallback })
const List = Type.String({ default: '' })

/** The gateway's environment; every variable is documented in gateway/README.md. */
export const GatewayConfigSchema = Type.Object({
  ...BaseConfig.properties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  REDIS_URL: Url('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: Type.String({ default: 'gw:' }),
  SESSION_KEY_PREFIX: AuthConfig.properties.SESSION_KEY_PREFIX,
  JWKS_URL: Type.Optional(AuthConfig.properties.JWKS_URL),
  JWT_ISSUER: AuthConfig.properties.JWT_ISSUER,
  JWT_AUDIENCE: AuthConfig.properties.JWT_AUDIENCE,
  JWT_CACHE_SIZE: Type.Integer({ minimum: 0, default: 10_000 }),
  UPSTREAM_USER_URL: Url('http://127.0.0.1:8081'),
  UPSTREAM_COURSE_URL: Url('http://127.0.0.1:8082'),
  UPSTREAM_ENROLLMENT_URL: Url('http://127.0.0.1:8083'),
  UPSTREAM_ASSESSMENT_URL: Url('http://127.0.0.1:8084'),
  UPSTREAM_NOTIFICATION_URL: Url('http://127.0.0.1:8085'),
  UPSTREAM_TIMEOUT_MS: Millis(10_000),
  UPSTREAM_CONNECT_TIMEOUT_MS: Millis(1_000),
  UPSTREAM_CONNECTIONS: Count(128),
  BREAKER_FAILURE_THRESHOLD: Count(5),
  BREAKER_RESET_MS: Millis(10_000),
  RATE_LIMIT_MAX: Count(600),
  RATE_LIMIT_WINDOW_MS: Millis(60_000),
  RATE_LIMIT_AUTH_MAX: Count(20),
  RATE_LIMIT_AUTH_WINDOW_MS: Millis(60_000),
  LOGIN_FAILURE_MAX: Count(10),
  LOGIN_FAILURE_WINDOW_MS: Millis(15 * 60_000),
  TRUSTED_PROXIES: List,
  CORS_ORIGINS: List,
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1, default: 1024 * 1024 }),
  DOCS_CACHE_MS: Millis(30_000),
})

export type GatewayConfig = Static<typeof GatewayConfigSchema>

/** Reads and validates the gateway's env; a bad variable stops the process with its name. */
export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  return loadConfig(GatewayConfigSchema, env)
}

/** Splits a comma-separated env value into trimmed, non-empty entries. */
export function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean)
}
