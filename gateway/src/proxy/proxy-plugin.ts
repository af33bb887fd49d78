import { AppError, kitErrors } from '@lms/kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ServerResponse, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { Readable, Transform } from 'node:stream'
import { Gauge, Histogram } from 'prom-client'
import { gatewayErrors } from '../errors.js'
import type { LoginFailures } from '../rate-limit/login-failures.js'
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js'
import { UpstreamClient, type ForwardOptions } from './upstream-client.js'
import { LOGIN_PATH, NOTIFICATION_STREAM_PATH, UPSTREAM_NAMES, UPSTREAM_PREFIXES, type UpstreamName } from './upstreams.js'

export interface ProxyOptions {
  upstreams: Record<UpstreamName, string>
  timeoutMs: number
  connectTimeoutMs: number
  connections: number
  breaker: { failureThreshold: number; resetMs: number }
  bodyLimit: number
  /** Headers on every answer (the security headers), unless the service sends its own. */
  responseHeaders: Record<string, string>
  loginFailures: LoginFailures
}

declare module 'fastify' {
  interface FastifyRequest {
    loginEmail?: string
  }
}

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 }
const LOGIN_BODY_LIMIT = 16 * 1024
const METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS']
/** The client socket of a WebSocket upgrade, set on the raw request while Fastify routes it. */
const UPGRADE = Symbol('gateway.upgrade')

type UpgradeRequest = IncomingMessage & { [UPGRADE]?: { socket: Duplex; head: Buffer } }

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

function readEmail(body: Buffer): string | undefined {
  try {
    const email = (JSON.parse(body.toString('utf8')) as { email?: unknown }).email
    return typeof email === 'string' && email.length <= 320 ? email : undefined
  } catch {
    return undefined
  }
}

/**
 * One route set per service, forwarded by its own `UpstreamClient` (undici
 * pool, circuit breaker, timeout). Bodies stream through unparsed (except the
 * login, read for per-account failure counting); SSE streams without a body
 * timeout; notification WebSockets are tunnelled after the guard let the
 * upgrade request through.
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
    const clients: UpstreamClient[] = []
    app.addHook('onClose', async () => {
      await Promise.all(clients.map((client) => client.close()))
    })

    for (const name of UPSTREAM_NAMES) {
      const breaker = new CircuitBreaker({
        ...opts.breaker,
        onStateChange: (state) => {
          breakerState.set({ upstream: name }, STATE_VALUE[state])
          app.log.warn({ upstream: name, state }, 'circuit breaker changed state')
        },
      })
      breakerState.set({ upstream: name }, 0)
      const client = new UpstreamClient({
        name,
        url: opts.upstreams[name],
        breaker,
        timeoutMs: opts.timeoutMs,
        connectTimeoutMs: opts.connectTimeoutMs,
        connections: opts.connections,
        responseHeaders: opts.responseHeaders,
        observe(status, seconds) {
          upstreamDuration.observe({ upstream: name, status_code: String(status) }, seconds)
        },
      })
      clients.push(client)

      const forwarder = (forward: ForwardOptions, websocket = false) => function proxy(request: FastifyRequest, reply: FastifyReply) {
        const upgrade = (request.raw as UpgradeRequest)[UPGRADE]
        if (upgrade && !websocket) return reply.send(kitErrors.KIT_ERR_NOT_FOUND())
        client.forward(request, reply, forward, upgrade)
        return reply
      }

      await app.register(async function upstreamScope(scope) {
        hideFromOpenApi(scope)
        streamBodies(scope, opts.bodyLimit)
        for (const url of routesFor(UPSTREAM_PREFIXES[name])) {
          scope.route({ method: METHODS, url, handler: forwarder({}, name === 'notification') })
        }
        if (name === 'notification') scope.route({ method: ['GET', 'HEAD'], url: NOTIFICATION_STREAM_PATH, handler: forwarder({ bodyTimeoutMs: 0 }) })
      })

      if (name === 'user') {
        const onStatus: ForwardOptions['onStatus'] = (request, status) => {
          const email = request.loginEmail
          if (email && status === 401) void opts.loginFailures.recordFailure(email).catch((err) => request.log.warn({ err }, 'could not count a failed login'))
          if (email && status === 200) void opts.loginFailures.reset(email).catch((err) => request.log.warn({ err }, 'could not reset failed logins'))
        }
        await app.register(async function loginScope(scope) {
          hideFromOpenApi(scope)
          scope.removeAllContentTypeParsers()
          // The bytes are kept to read the email and sent on unchanged.
          scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: LOGIN_BODY_LIMIT }, (request, body, done) => {
            request.loginEmail = readEmail(body as Buffer)
            done(null, body)
          })
          scope.post(LOGIN_PATH, {
            preHandler: async (request: FastifyRequest) => {
              const email = request.loginEmail
              if (!email) return
              const wait = await opts.loginFailures.lockedFor(email)
              if (wait > 0) {
                const error = gatewayErrors.GW_ERR_LOGIN_LOCKED()
                throw new AppError(error.code, error.status, error.message, {}, { 'retry-after': String(wait) })
              }
            },
          }, forwarder({ onStatus }))
        })
      }
    }

    // Upgrades go through Fastify's routing like any request, so the guard decides; the
    // notification routes then tunnel them. A refusal ends the socket once it is written.
    const upgraded = new Set<Duplex>()
    function onUpgrade(request: UpgradeRequest, socket: Duplex, head: Buffer) {
      upgraded.add(socket)
      socket.on('error', () => socket.destroy()).once('close', () => upgraded.delete(socket))
      request[UPGRADE] = { socket, head }
      const response = new ServerResponse(request)
      response.assignSocket(socket as never)
      response.once('finish', () => socket.end())
      app.routing(request, response)
    }
    app.server.on('upgrade', onUpgrade)
    app.addHook('preClose', (done) => {
      app.server.off('upgrade', onUpgrade)
      for (const socket of upgraded) socket.destroy()
      done()
    })
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
