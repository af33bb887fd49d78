import { AppError } from '@lms/kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { gatewayErrors } from '../errors.js'
import { RateLimiter, type LimitResult } from '../rate-limit/rate-limiter.js'
import { accessPolicy, isCredentialRoute, pathOf } from './access-policy.js'

export interface GuardOptions {
  redis: Redis
  keyPrefix: string
  sessionKeyPrefix: string
  bodyLimit: number
  rateLimit: { max: number; windowMs: number; authMax: number; authWindowMs: number }
  /** Paths whose clients cannot set headers (browser WebSockets) and may send `?access_token=`. */
  queryTokenPaths?: string[]
}

function rateLimited(error: AppError, retryAfter: number): AppError {
  return new AppError(error.code, error.status, error.message, error.extra, { 'retry-after': String(retryAfter) })
}

/**
 * The gateway's single onRequest gate: body size by Content-Length, the
 * access token on protected routes (verified tokens cached), then the rate
 * limit — per user when authenticated (that same Redis call checks the
 * session), per IP otherwise, plus a stricter per-IP limit on credential routes.
 */
export const guardPlugin = fp(
  async function guardPlugin(app: FastifyInstance, opts: GuardOptions) {
    const common = { redis: opts.redis, keyPrefix: opts.keyPrefix, sessionKeyPrefix: opts.sessionKeyPrefix }
    const perCaller = new RateLimiter({ ...common, name: 'global', max: opts.rateLimit.max, windowMs: opts.rateLimit.windowMs })
    const perIpOnCredentials = new RateLimiter({ ...common, name: 'credentials', max: opts.rateLimit.authMax, windowMs: opts.rateLimit.authWindowMs })
    const queryTokenPaths = new Set(opts.queryTokenPaths ?? [])

    async function limit(counted: Promise<LimitResult>, request: FastifyRequest, reply: FastifyReply, failOpen: boolean) {
      let result: LimitResult
      try {
        result = await counted
      } catch (error) {
        if (error instanceof AppError) throw error
        request.log.warn({ err: error }, 'rate limit store unavailable')
        if (failOpen) return
        throw gatewayErrors.GW_ERR_DEPENDENCY_UNAVAILABLE()
      }
      reply.header('x-ratelimit-limit', result.max)
      reply.header('x-ratelimit-remaining', result.remaining)
      reply.header('x-ratelimit-reset', result.resetSeconds)
      if (result.exceeded) throw rateLimited(gatewayErrors.GW_ERR_RATE_LIMITED(), result.resetSeconds)
    }

    app.addHook('onRequest', async function guard(request, reply) {
      const length = request.headers['content-length']
      if (length !== undefined && Number(length) > opts.bodyLimit) throw gatewayErrors.GW_ERR_BODY_TOO_LARGE()
      const path = pathOf(request.url)
      const access = accessPolicy(request.method, path)
      if (access === 'open') return
      if (access === 'protected') {
        if (!request.headers.authorization && queryTokenPaths.has(path)) {
          const token = request.query && (request.query as Record<string, unknown>).access_token
          if (typeof token === 'string') request.headers.authorization = `Bearer ${token}`
        }
        await app.authenticate(request, reply)
        await limit(perCaller.hit(`user:${request.user.id}`, request.user.sid), request, reply, false)
        return
      }
      const ip = `ip:${request.ip}`
      if (isCredentialRoute(request.method, path)) await limit(perIpOnCredentials.hit(ip), request, reply, true)
      await limit(perCaller.hit(ip), request, reply, true)
    })
  },
  { name: 'gateway-guard', dependencies: ['@lms/kit/auth'] },
)
