import { createRedis, runServer } from '@lms/kit'
import { buildGateway } from './app.js'
import { splitList, type GatewayConfig } from './config.js'

/** The gateway process: config → Redis → app → listen; Redis and telemetry close after the last request. */
export async function main(config: GatewayConfig, telemetry: { shutdown(): Promise<void> }): Promise<void> {
  // Every request sends one Lua call. No auto-pipelining: building a pipeline per tick cost more CPU
  // per request than the writes it saved, at every concurrency the gateway bench reaches.
  const redis = createRedis(config.REDIS_URL, 'gateway')
  const app = await buildGateway({
    redis,
    keyPrefix: config.REDIS_KEY_PREFIX,
    sessionKeyPrefix: config.SESSION_KEY_PREFIX,
    upstreams: {
      user: config.UPSTREAM_USER_URL,
      course: config.UPSTREAM_COURSE_URL,
      enrollment: config.UPSTREAM_ENROLLMENT_URL,
      assessment: config.UPSTREAM_ASSESSMENT_URL,
      notification: config.UPSTREAM_NOTIFICATION_URL,
    },
    jwks: { url: config.JWKS_URL ?? new URL('/.well-known/jwks.json', config.UPSTREAM_USER_URL).toString() },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    jwtCacheSize: config.JWT_CACHE_SIZE,
    upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    upstreamConnectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    upstreamConnections: config.UPSTREAM_CONNECTIONS,
    breaker: { failureThreshold: config.BREAKER_FAILURE_THRESHOLD, resetMs: config.BREAKER_RESET_MS },
    rateLimit: {
      max: config.RATE_LIMIT_MAX,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      authMax: config.RATE_LIMIT_AUTH_MAX,
      authWindowMs: config.RATE_LIMIT_AUTH_WINDOW_MS,
      loginFailureMax: config.LOGIN_FAILURE_MAX,
      loginFailureWindowMs: config.LOGIN_FAILURE_WINDOW_MS,
    },
    trustedProxies: splitList(config.TRUSTED_PROXIES),
    corsOrigins: splitList(config.CORS_ORIGINS),
    bodyLimit: config.BODY_LIMIT_BYTES,
    docsCacheMs: config.DOCS_CACHE_MS,
    logLevel: config.LOG_LEVEL,
  })
  await runServer(app, {
    port: config.PORT,
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onShutdown: async () => {
      await redis.quit()
      await telemetry.shutdown()
    },
  })
}
