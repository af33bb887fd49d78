import Type, { type Static, type TObject, type TProperties } from 'typebox'
import Value from 'typebox/value'

/** Thrown when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Validates environment variables against a typebox schema, converting
 * strings to numbers/booleans and applying defaults. Fails naming every bad
 * variable, so a process stops at start instead of misbehaving later.
 *
 * @example
 * const Config = Type.Object({ PORT: Type.Number({ default: 8081 }) })
 * const config = loadConfig(Config, process.env)
 */
export function loadConfig<S extends TObject>(schema: S, env: Record<string, string | undefined>): Static<S> {
  const input: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const raw = env[key]
    if (raw !== undefined && raw !== '') input[key] = raw
  }
  const withDefaults = Value.Default(schema, input)
  const converted = Value.Convert(schema, withDefaults)
  if (Value.Check(schema, converted)) return converted as Static<S>
  const problems = [...Value.Errors(schema, converted)].flatMap((error) => {
    const e = error as { instancePath?: string; params?: { requiredProperties?: string[] }; message: string }
    const missing = e.params?.requiredProperties
    if (missing && missing.length > 0) return missing.map((variable) => ({ variable, message: 'is required' }))
    return [{ variable: (e.instancePath ?? '').replace(/^\//, '') || '(root)', message: e.message }]
  })
  throw new ConfigError(problems)
}

/** Config every process shares; services extend it with `Type.Object({...BaseConfig.properties, ...})`. */
export const BaseConfig = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  LOG_LEVEL: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent'),
  ], { default: 'info' }),
  ZIPKIN_URL: Type.Optional(Type.String({ format: 'uri' })),
  TRACE_SAMPLE_RATIO: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
})

/** Config of a process that verifies access tokens. */
export const AuthConfig = Type.Object({
  JWKS_URL: Type.String({ format: 'uri' }),
  JWT_ISSUER: Type.String({ default: 'lms-user-service' }),
  JWT_AUDIENCE: Type.String({ default: 'lms' }),
  /** Prefix of the user service's session keys in Redis, read to refuse tokens of ended sessions. */
  SESSION_KEY_PREFIX: Type.String({ default: 'session:' }),
})

export type ConfigProperties = TProperties
