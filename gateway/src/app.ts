import cors from '@fastify/cors'
import { createApp, JwksCache, type App, type JwksCacheOptions } from '@lms/kit'
import type { Redis } from 'ioredis'
import { guardPlugin } from './auth/guard-plugin.js'
import { docsPlugin } from './docs/docs-plugin.js'
import { proxyPlugin } from './proxy/proxy-plugin.js'
import { NOTIFICATION_STREAM_PATH, NOTIFICATION_WS_PATH, type UpstreamName } from './proxy/upstreams.js'
import { LoginFailures } from './rate-limit/login-failures.js'
import { securityHeaders } from './security-headers.js'

export interface GatewayOptions {
  /** The caller owns the client: the gateway never closes it. */
  redis: Redis
  /** Prefix of the gateway's own keys (`gw:`); tests use a random one. */
  keyPrefix?: string
  /** Prefix of the user service's session keys (`session:`). */
  sessionKeyPrefix?: string
  upstreams: Record<UpstreamName, string>
  /** The user service's key set (URL or fixed keys), or a shared cache. */
  jwks: JwksCacheOptions | JwksCache
  issuer: string
  audience: string
  /** Verified tokens remembered so repeat requests skip the RSA check (0 turns it off). */
  jwtCacheSize?: number
  upstreamTimeoutMs?: number
  upstreamConnectTimeoutMs?: number
  upstreamConnections?: number
  breaker?: { failureThreshold: number; resetMs: number }
  rateLimit?: { max: number; windowMs: number; authMax: number; authWindowMs: number; loginFailureMax: number; loginFailureWindowMs: number }
  trustedProxies?: string[]
  corsOrigins?: string[]
  bodyLimit?: number
  docsCacheMs?: number
  logLevel?: string
}

export const DEFAULT_RATE_LIMIT = { max: 600, windowMs: 60_000, authMax: 20, authWindowMs: 60_000, loginFailureMax: 10, loginFailureWindowMs: 15 * 60_000 }

/**
 * The gateway as a Fastify instance that never listens: kit defaults
 * (problem+json, health, metrics, JWKS auth) → helmet's headers, CORS →
 * the guard (token, session, limits) → docs → one proxy per service.
 *
 * @example
 * const app = await buildGateway({ redis, upstreams, jwks: { url }, issuer: 'lms-user-service', audience: 'lms' })
 * const response = await app.inject({ method: 'GET', url: '/api/v1/courses' })
 */
export async function buildGateway(opts: GatewayOptions): Promise<App> {
  const keyPrefix = opts.keyPrefix ?? 'gw:'
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024
  const limits = opts.rateLimit ?? DEFAULT_RATE_LIMIT
  const jwks = opts.jwks instanceof JwksCache ? opts.jwks : new JwksCache(opts.jwks)

  const app = await createApp({
    service: 'gateway',
    description: 'Single entry point of the LMS: routing, authentication, rate limits and the merged API docs',
    auth: { jwks, issuer: opts.issuer, audience: opts.audience, cacheSize: opts.jwtCacheSize ?? 10_000 },
    bodyLimit,
    ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
    ...(opts.trustedProxies ? { trustProxy: opts.trustedProxies } : {}),
  })

  // On everything Fastify sends; the forwarder writes them itself with the service's answer.
  const security = await securityHeaders({ crossOriginResourcePolicy: { policy: 'same-site' } })
  app.addHook('onSend', function setSecurityHeaders(_request, reply, payload, done) {
    for (const [name, value] of security) reply.raw.setHeader(name, value)
    done(null, payload)
  })
  // Without allowed origins @fastify/cors would only add a no-op hook to every request.
  if (opts.corsOrigins && opts.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: opts.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'x-request-id', 'traceparent', 'tracestate'],
      exposedHeaders: ['x-request-id', 'etag', 'location', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    })
  }

  await app.register(guardPlugin, {
    redis: opts.redis,
    keyPrefix,
    sessionKeyPrefix: opts.sessionKeyPrefix ?? 'session:',
    bodyLimit,
    rateLimit: limits,
    queryTokenPaths: [NOTIFICATION_WS_PATH, NOTIFICATION_STREAM_PATH],
  })
  await app.register(docsPlugin, { upstreams: opts.upstreams, cacheMs: opts.docsCacheMs ?? 30_000 })
  await app.register(proxyPlugin, {
    upstreams: opts.upstreams,
    timeoutMs: opts.upstreamTimeoutMs ?? 10_000,
    connectTimeoutMs: opts.upstreamConnectTimeoutMs ?? 1_000,
    connections: opts.upstreamConnections ?? 128,
    breaker: opts.breaker ?? { failureThreshold: 5, resetMs: 10_000 },
    bodyLimit,
    responseHeaders: Object.fromEntries(security),
    loginFailures: new LoginFailures({ redis: opts.redis, keyPrefix, max: limits.loginFailureMax, windowMs: limits.loginFailureWindowMs }),
  })

  app.addReadinessCheck('redis', () => opts.redis.ping())
  app.addReadinessCheck('jwks', () => jwks.refresh())
  return app
}
