import { AppError } from '@lms/kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { gatewayErrors } from '../errors.js'
import { SESSION_SEPARATOR } from '../rate-limit/rate-limit-store.js'
import { accessPolicy, isCredentialRoute, pathOf } from './access-policy.js'

export interface GuardOptions {
  bodyLimit: number
  rateLimit: { max: number; windowMs: number; authMax: number; authWindowMs: number }
  /** Paths whose clients cannot set headers (browser WebSockets) and may send `?access_token=`. */
  queryTokenPaths?: string[]
}

interface LimitResult {
  isAllowed: boolean
  max: number
  remaining: number
  ttlInSeconds: number
  isExceeded: boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    createRateLimit(options: Record<string, unknown>): (request: FastifyRequest) => Promise<LimitResult>
  }
}

function rateLimited(error: AppError, retryAfter: number): AppError {
  return new AppError(error.code, error.status, error.message, error.extra, { 'retry-after': String(retryAfter) })
}

/**
 * The gateway's single onRequest gate: body size by Content-Length, the
 * access token on protected routes (signature results cached), then the rate
 * limit — per user when authenticated (that same Redis call checks the
 * session), per IP otherwise, plus a stricter per-IP limit on credential routes.
 */
export const guardPlugin = fp(
  async function guardPlugin(app: FastifyInstance, opts: GuardOptions) {
    const perCaller = app.createRateLimit({
      max: opts.rateLimit.max,
      timeWindow: opts.rateLimit.windowMs,
      limitName: 'global',
      keyGenerator: (request: FastifyRequest) =>
        request.user ? `user:${request.user.id}${SESSION_SEPARATOR}${request.user.sid}` : `ip:${request.ip}`,
    })
    const perIpOnCredentials = app.createRateLimit({
      max: opts.rateLimit.authMax,
      timeWindow: opts.rateLimit.authWindowMs,
      limitName: 'credentials',
      keyGenerator: (request: FastifyRequest) => `ip:${request.ip}`,
    })
    const queryTokenPaths = new Set(opts.queryTokenPaths ?? [])

    async function limit(limiter: typeof perCaller, request: FastifyRequest, reply: FastifyReply, failOpen: boolean) {
      let result: LimitResult
      try {
        result = await limiter(request)
      } catch (error) {
        if (error instanceof AppError) throw error
        request.log.warn({ err: error }, 'rate limit store unavailable')
        if (failOpen) return
        throw gatewayErrors.GW_ERR_DEPENDENCY_UNAVAILABLE()
      }
      if (result.isAllowed) return
      reply.header('x-ratelimit-limit', result.max)
      reply.header('x-ratelimit-remaining', result.remaining)
      reply.header('x-ratelimit-reset', result.ttlInSeconds)
      if (result.isExceeded) throw rateLimited(gatewayErrors.GW_ERR_RATE_LIMITED(), result.ttlInSeconds)
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
        await limit(perCaller, request, reply, false)
        return
      }
      if (isCredentialRoute(request.method, path)) await limit(perIpOnCredentials, request, reply, true)
      await limit(perCaller, request, reply, true)
    })
  },
  { name: 'gateway-guard', dependencies: ['@lms/kit/auth', '@fastify/rate-limit'] },
)
