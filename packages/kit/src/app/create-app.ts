import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify'
import type { Registry } from 'prom-client'
import { uuidv7 } from 'uuidv7'
import { authPlugin, type AuthOptions } from '../auth/auth-plugin.js'
import { healthPlugin } from './health.js'
import { loggerOptions, requestChildLogger } from './logger.js'
import { metricsPlugin } from './metrics.js'
import { problemPlugin } from './problem.js'

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

export interface CreateAppOptions {
  /** Service name: log field, metric label, OpenAPI title. */
  service: string
  version?: string
  description?: string
  logLevel?: string
  /** Verify access tokens; omit for processes without protected routes. */
  auth?: AuthOptions
  bodyLimit?: number
  registry?: Registry
  /** Proxies whose X-Forwarded-For is believed (IPs/CIDRs); none by default. */
  trustProxy?: string[]
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/

/**
 * A Fastify instance with every kit default: JSON logs with redaction and
 * trace ids, request ids, problem+json errors, strict validation (unknown
 * body fields are rejected, not stripped), /health, /metrics, OpenAPI at
 * /openapi.json, and the auth decorators. It never listens.
 *
 * @example
 * const app = await createApp({ service: 'user', auth: { jwks: { url }, issuer, audience } })
 * await app.register(features)
 */
export async function createApp(opts: CreateAppOptions): Promise<App> {
  const app = Fastify({
    logger: loggerOptions(opts.service, opts.logLevel ?? 'info'),
    childLoggerFactory: requestChildLogger,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    trustProxy: opts.trustProxy && opts.trustProxy.length > 0 ? opts.trustProxy : false,
    requestIdHeader: false,
    genReqId: (request) => {
      const header = request.headers['x-request-id']
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : uuidv7()
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>()

  // JSON only: Fastify would otherwise accept text/plain bodies and fail them as 400 instead of 415.
  app.removeContentTypeParser('text/plain')
  // Hooks on every request take a callback: an async hook costs a promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  await app.register(problemPlugin)
  await app.register(metricsPlugin, { service: opts.service, ...(opts.registry ? { registry: opts.registry } : {}) })
  await app.register(healthPlugin)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `${opts.service} service`, version: opts.version ?? '1.0.0', ...(opts.description ? { description: opts.description } : {}) },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  if (opts.auth) await app.register(authPlugin, opts.auth)
  return app as unknown as App
}
