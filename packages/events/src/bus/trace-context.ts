import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api'

/** W3C trace context as string headers (`traceparent`, `tracestate`). */
export type TraceCarrier = Record<string, string>

/**
 * Captures the active trace context (e.g. the HTTP request's span) as headers, to be stored with an outbox row.
 *
 * @example
 * const carrier = captureTraceContext() // { traceparent: '00-…' } when a span is active
 */
export function captureTraceContext(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {}
  propagation.inject(ctx, carrier)
  return carrier
}

/** Restores a context from stored or received headers. */
export function restoreTraceContext(carrier: Record<string, unknown> | null | undefined): Context {
  if (!carrier) return ROOT_CONTEXT
  const strings: TraceCarrier = {}
  for (const [k, v] of Object.entries(carrier)) {
    if (typeof v === 'string') strings[k] = v
    else if (Buffer.isBuffer(v)) strings[k] = v.toString('utf8')
  }
  return propagation.extract(ROOT_CONTEXT, strings)
}
