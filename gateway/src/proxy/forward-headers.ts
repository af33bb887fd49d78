import { trace } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'

const IDENTITY_HEADERS = new Set([
  'x-user-id', 'x-user-role', 'x-user-email', 'x-user-sid', 'x-user', 'x-roles', 'x-role', 'x-remote-user',
  'x-forwarded-user', 'x-forwarded-email', 'x-authenticated-user', 'x-authenticated-userid', 'x-auth-user',
  'x-auth-request-user', 'x-auth-request-email', 'x-consumer-id', 'x-consumer-username', 'x-session-id',
  'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'forwarded',
])
const IDENTITY_PREFIXES = ['x-user-', 'x-auth-', 'x-identity-', 'x-jwt-']

/** True for a header that claims who the caller is; services must never receive one from outside. */
export function isIdentityHeader(name: string): boolean {
  return IDENTITY_HEADERS.has(name) || IDENTITY_PREFIXES.some((prefix) => name.startsWith(prefix))
}

/**
 * Headers sent upstream: the client's own minus any identity claim, plus the
 * request id and the client address as the gateway determined it
 * (Authorization passes untouched). When tracing runs, the client's W3C trace
 * headers are dropped: the gateway's span already continues them and the
 * fetch instrumentation adds its own, and two joined `traceparent` values
 * would make the service start a new trace.
 */
export function forwardHeaders(request: FastifyRequest, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  for (const name of Object.keys(headers)) {
    if (name.charCodeAt(0) === 120 /* x */ || name === 'forwarded') {
      if (isIdentityHeader(name)) delete headers[name]
    }
  }
  if (trace.getActiveSpan()) {
    delete headers.traceparent
    delete headers.tracestate
  }
  headers['x-request-id'] = request.id
  headers['x-forwarded-for'] = request.ip
  headers['x-forwarded-proto'] = request.protocol
  return headers
}
