import { trace } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'

const IDENTITY_HEADERS = new Set([
  'x-user-id', 'x-user-role', 'x-user-email', 'x-user-sid', 'x-user', 'x-roles', 'x-role', 'x-remote-user',
  'x-forwarded-user', 'x-forwarded-email', 'x-authenticated-user', 'x-authenticated-userid', 'x-auth-user',
  'x-auth-request-user', 'x-auth-request-email', 'x-consumer-id', 'x-consumer-username', 'x-session-id',
  'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'forwarded',
])
const IDENTITY_PREFIXES = ['x-user-', 'x-auth-', 'x-identity-', 'x-jwt-']

/**
 * Connection-specific headers (RFC 9110 §7.6.1) plus `host` and `expect`: never forwarded either
 * way. undici refuses some of them outright, and the gateway's own connections carry their own.
 */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'http2-settings', 'host', 'expect',
])

/** True for a header that claims who the caller is; services must never receive one from outside. */
export function isIdentityHeader(name: string): boolean {
  return IDENTITY_HEADERS.has(name) || IDENTITY_PREFIXES.some((prefix) => name.startsWith(prefix))
}

/** Header names a `Connection` header lists: hop-by-hop for this one message. */
function connectionListed(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined
  const names = String(value).toLowerCase().split(',').map((name) => name.trim()).filter((name) => name.length > 0)
  return names.length > 0 ? new Set(names) : undefined
}

/**
 * Headers sent upstream: the client's own minus hop-by-hop headers and any
 * identity claim, plus the request id and the client address as the gateway
 * determined it (Authorization passes untouched). When tracing runs, the
 * client's W3C trace headers are dropped: the gateway's span already continues
 * them and the undici instrumentation adds its own, and two joined
 * `traceparent` values would make the service start a new trace.
 */
export function forwardHeaders(request: FastifyRequest): IncomingHttpHeaders {
  const incoming = request.headers
  const listed = connectionListed(incoming.connection)
  const headers: IncomingHttpHeaders = {}
  for (const name in incoming) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue
    if ((name.charCodeAt(0) === 120 /* x */ || name === 'forwarded') && isIdentityHeader(name)) continue
    headers[name] = incoming[name]
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

/**
 * An upstream response's raw header list (undici's `Buffer` pairs) as headers for the
 * client, without hop-by-hop headers; a repeated name (`set-cookie`) keeps every value.
 */
export function responseHeaders(raw: Buffer[]): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {}
  let listed: Set<string> | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase()
    const value = raw[i + 1]!.toString('latin1')
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') listed = connectionListed(value)
      continue
    }
    const previous = headers[name]
    if (previous === undefined) headers[name] = value
    else headers[name] = Array.isArray(previous) ? [...previous, value] : [String(previous), value]
  }
  if (listed) for (const name of listed) delete headers[name]
  return headers
}
