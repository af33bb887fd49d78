import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js'
import { trace } from '@opentelemetry/api'

/** Paths never written to logs: credentials, tokens and personal data. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password', '*.newPassword', '*.currentPassword', '*.passwordHash',
  '*.token', '*.accessToken', '*.refreshToken', '*.email', '*.fullName',
  'password', 'accessToken', 'refreshToken', 'email',
]

const REQUEST_BINDINGS = Symbol('lms.requestBindings')

type RequestLogger = FastifyBaseLogger & { [REQUEST_BINDINGS]?: Bindings }

/** pino options for every process: JSON, service name, trace id on each line, redaction. */
export function loggerOptions(service: string, level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin(_object: object, _level: number, logger: RequestLogger) {
      const request = logger[REQUEST_BINDINGS]
      const span = trace.getActiveSpan()
      if (!span) return request ? { ...request } : {}
      const { traceId, spanId } = span.spanContext()
      return { ...request, traceId, spanId }
    },
    serializers: {
      req(request: { method: string; url: string; id: string; headers: Record<string, unknown>; ip?: string }) {
        return { method: request.method, url: request.url.split('?')[0], requestId: request.id }
      },
    },
  } as NonNullable<FastifyServerOptions['logger']>
}

/**
 * Fastify's per-request child logger, whose request id (`reqId`) the mixin of
 * `loggerOptions` writes on each line. pino would otherwise pass the binding
 * through every wildcard redaction path on every request, logged or not.
 *
 * @example
 * Fastify({ logger: loggerOptions('user', 'info'), childLoggerFactory: requestChildLogger })
 */
export function requestChildLogger(logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  const child = (Object.keys(opts).length > 0 ? logger.child({}, opts) : logger.child({})) as RequestLogger
  child[REQUEST_BINDINGS] = bindings
  return child
}
