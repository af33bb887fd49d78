import httpProxy from '@fastify/http-proxy'
import { AppError, problem, sendProblem } from '@lms/kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Readable, Transform } from 'node:stream'
import { Gauge, Histogram } from 'prom-client'
import { gatewayErrors } from '../errors.js'
import type { LoginFailures } from '../rate-limit/login-failures.js'
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js'
import { forwardHeaders } from './forward-headers.js'
import { LOGIN_PATH, NOTIFICATION_STREAM_PATH, NOTIFICATION_WS_PATH, UPSTREAM_NAMES, UPSTREAM_PREFIXES, type UpstreamName } from './upstreams.js'

export interface ProxyOptions {
  upstreams: Record<UpstreamName, string>
  timeoutMs: number
  connectTimeoutMs: number
  connections: number
  breaker: { failureThreshold: number; resetMs: number }
  bodyLimit: number
  loginFailures: LoginFailures
}

declare module 'fastify' {
  interface FastifyRequest {
    upstreamStartedAt?: bigint
    bodyTooLarge?: boolean
    loginEmail?: string
  }
}

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 }
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])
const LOGIN_BODY_LIMIT = 16 * 1024

interface UpstreamResponse { statusCode: number; stream: Readable }
interface ProxyError extends Error { statusCode?: number; code?: string; cause?: { code?: string } }

function routesFor(prefixes: string[]): string[] {
  return prefixes.flatMap((prefix) => (prefix.endsWith('.json') ? [prefix] : [prefix, `${prefix}/*`]))
}

/** Stops a chunked body (no Content-Length to check up front) once it passes the limit. */
function limitBody(request: FastifyRequest, payload: Readable, limit: number): Readable {
  if (request.headers['content-length'] !== undefined) return payload
  let seen = 0
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length
      if (seen > limit) {
        request.bodyTooLarge = true
        callback(gatewayErrors.GW_ERR_BODY_TOO_LARGE())
        return
      }
      callback(null, chunk)
    },
  })
  payload.on('error', (error) => limited.destroy(error))
  return payload.pipe(limited)
}

function readEmail(body: unknown): string | undefined {
  if (!Buffer.isBuffer(body)) return undefined
  try {
    const email = (JSON.parse(body.toString('utf8')) as { email?: unknown }).email
    return typeof email === 'string' && email.length <= 320 ? email : undefined
  } catch {
    return undefined
  }
}

/**
 * One proxy per service (@fastify/http-proxy over undici), each behind its
 * own circuit breaker and timeout. Bodies stream through unparsed (except the
 * login, read for per-account failure counting); SSE streams without a body
 * timeout; notification WebSockets pass through.
 */
export const proxyPlugin = fp(
  async function proxyPlugin(app: FastifyInstance, opts: ProxyOptions) {
    const breakerState = new Gauge({
      name: 'gateway_circuit_breaker_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open',
      labelNames: ['upstream'],
      registers: [app.metrics],
    })
    const upstreamDuration = new Histogram({
      name: 'gateway_upstream_duration_seconds',
      help: 'Time from sending a request upstream to its response headers (or failure)',
      labelNames: ['upstream', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [app.metrics],
    })

    for (const name of UPSTREAM_NAMES) {
      const upstream = opts.upstreams[name]
      const breaker = new CircuitBreaker({
        ...opts.breaker,
        onStateChange: (state) => {
          breakerState.set({ upstream: name }, STATE_VALUE[state])
          app.log.warn({ upstream: name, state }, 'circuit breaker changed state')
        },
      })
      breakerState.set({ upstream: name }, 0)

      const observe = (request: FastifyRequest, status: number) => {
        if (request.upstreamStartedAt === undefined) return
        upstreamDuration.observe({ upstream: name, status_code: String(status) }, Number(process.hrtime.bigint() - request.upstreamStartedAt) / 1e9)
      }

      /** Lets the request go upstream unless the circuit is open (then the error to answer with). */
      function admission(request: FastifyRequest): AppError | undefined {
        if (!breaker.tryAcquire()) {
          const error = gatewayErrors.GW_ERR_CIRCUIT_OPEN()
          return new AppError(error.code, error.status, error.message, { upstream: name }, { 'retry-after': String(breaker.retryAfterSeconds()) })
        }
        request.upstreamStartedAt = process.hrtime.bigint()
        return undefined
      }
      function admit(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) {
        done(admission(request))
      }

      function onResponse(request: FastifyRequest, reply: FastifyReply, res: UpstreamResponse) {
        observe(request, res.statusCode)
        if (res.statusCode >= 502 && res.statusCode <= 504) breaker.onFailure()
        else breaker.onSuccess()
        return reply.send(res.stream)
      }

      function onError(reply: FastifyReply, { error }: { error: ProxyError }) {
        const request = reply.request
        observe(request, 0)
        if (request.bodyTooLarge) return sendProblem(reply, problem(413, gatewayErrors.GW_ERR_BODY_TOO_LARGE().message, request.url, { code: 'GW_ERR_BODY_TOO_LARGE' }))
        breaker.onFailure()
        const cause = error.cause?.code ?? error.code ?? ''
        const failure = error.statusCode === 504
          ? gatewayErrors.GW_ERR_UPSTREAM_TIMEOUT()
          : CONNECT_ERRORS.has(cause) || error.statusCode === 503
            ? gatewayErrors.GW_ERR_UPSTREAM_UNAVAILABLE()
            : gatewayErrors.GW_ERR_UPSTREAM_FAILED()
        request.log.warn({ upstream: name, cause, status: failure.status }, 'upstream request failed')
        return sendProblem(reply, problem(failure.status, failure.message, request.url, { code: failure.code, upstream: name }))
      }

      const common = (bodyTimeout: number) => ({
        upstream,
        prefix: '',
        disableRequestLogging: true,
        undici: {
          connections: opts.connections,
          connect: { timeout: opts.connectTimeoutMs },
          headersTimeout: opts.timeoutMs,
          bodyTimeout,
          tls: { rejectUnauthorized: true },
        },
        // Bodies are parsed by this scope's own parsers (below), not by the proxy's.
        proxyPayloads: false,
        replyOptions: {
          rewriteRequestHeaders: forwardHeaders,
          onResponse,
          onError,
          retryDelay: () => null,
        },
      })

      await app.register(async function upstreamScope(scope) {
        hideFromOpenApi(scope)
        streamBodies(scope, opts.bodyLimit)
        const routes = routesFor(UPSTREAM_PREFIXES[name])
        await scope.register(httpProxy, {
          ...common(opts.timeoutMs),
          routes,
          preHandler: admit,
          ...(name === 'notification'
            ? {
                websocket: true,
                wsClientOptions: {
                  rewriteRequestHeaders: (headers: Record<string, string>, request: FastifyRequest) => ({
                    ...headers,
                    ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
                    'x-request-id': request.id,
                  }),
                },
              }
            : {}),
        } as never)
      }, { prefix: '' })

      if (name === 'notification') {
        await app.register(async function notificationStreamScope(scope) {
          hideFromOpenApi(scope)
          streamBodies(scope, opts.bodyLimit)
          await scope.register(httpProxy, { ...common(0), routes: [NOTIFICATION_STREAM_PATH], httpMethods: ['GET'], preHandler: admit } as never)
        })
        app.log.debug({ path: NOTIFICATION_WS_PATH }, 'notification WebSocket proxied')
      }

      if (name === 'user') {
        await app.register(async function loginScope(scope) {
          hideFromOpenApi(scope)
          scope.removeAllContentTypeParsers()
          // The bytes are kept to read the email and sent on unchanged as a stream (reply-from would re-encode a Buffer).
          scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: LOGIN_BODY_LIMIT }, (request, body, done) => {
            request.loginEmail = readEmail(body)
            done(null, Readable.from([body]))
          })
          const base = common(opts.timeoutMs)
          await scope.register(httpProxy, {
            ...base,
            routes: [LOGIN_PATH],
            httpMethods: ['POST'],
            preHandler: async (request: FastifyRequest) => {
              const email = request.loginEmail
              if (email) {
                const wait = await opts.loginFailures.lockedFor(email)
                if (wait > 0) {
                  const error = gatewayErrors.GW_ERR_LOGIN_LOCKED()
                  throw new AppError(error.code, error.status, error.message, {}, { 'retry-after': String(wait) })
                }
              }
              const refused = admission(request)
              if (refused) throw refused
            },
            replyOptions: {
              ...base.replyOptions,
              onResponse: (request: FastifyRequest, reply: FastifyReply, res: UpstreamResponse) => {
                const email = request.loginEmail
                if (email && res.statusCode === 401) void opts.loginFailures.recordFailure(email).catch((err) => request.log.warn({ err }, 'could not count a failed login'))
                if (email && res.statusCode === 200) void opts.loginFailures.reset(email).catch((err) => request.log.warn({ err }, 'could not reset failed logins'))
                return onResponse(request, reply, res)
              },
            },
          } as never)
        })
      }
    }
  },
  { name: 'gateway-proxy', dependencies: ['@lms/kit/metrics'] },
)

function hideFromOpenApi(scope: FastifyInstance) {
  scope.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true }
  })
}

function streamBodies(scope: FastifyInstance, bodyLimit: number) {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('*', (request, payload, done) => done(null, limitBody(request, payload, bodyLimit)))
}
