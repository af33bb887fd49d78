import type { FastifyServerOptions } from 'fastify'
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

/** pino options for every process: JSON, service name, trace id on each line, redaction. */
export function loggerOptions(service: string, level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin() {
      const span = trace.getActiveSpan()
      if (!span) return {}
      const { traceId, spanId } = span.spanContext()
      return { traceId, spanId }
    },
    serializers: {
      req(request: { method: string; url: string; id: string; headers: Record<string, unknown>; ip?: string }) {
        return { method: request.method, url: request.url.split('?')[0], requestId: request.id }
      },
    },
  }
}
