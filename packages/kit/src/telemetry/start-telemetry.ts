import { register } from 'node:module'
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis'
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { NodeSDK } from '@opentelemetry/sdk-node'
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base'
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions'

export interface TelemetryOptions {
  service: string
  /** Zipkin base URL (`http://127.0.0.1:9411`); tracing is off without it. */
  zipkinUrl?: string | undefined
  sampleRatio?: number
}

export interface Telemetry { shutdown(): Promise<void> }

const IGNORED_PATHS = new Set(['/metrics', '/health/live', '/health/ready'])
const SECRET_PARAMS = /([?&](?:access_token|refresh_token|token)=)[^&#]*/gi

/** Tokens in query strings (`?access_token=` on streams) must not reach Zipkin. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1REDACTED')
}

function redactSpanUrl(span: { setAttribute(key: string, value: string): unknown }, url: string | undefined, base?: string) {
  if (!url || !SECRET_PARAMS.test(url)) return
  SECRET_PARAMS.lastIndex = 0
  const target = redactUrl(url)
  span.setAttribute('http.target', target)
  span.setAttribute('url.query', target.includes('?') ? target.slice(target.indexOf('?') + 1) : '')
  if (base) {
    span.setAttribute('http.url', base + target)
    span.setAttribute('url.full', base + target)
  }
}

/**
 * Starts the OpenTelemetry NodeSDK exporting to Zipkin, with spans for HTTP
 * in and out (node:http and fetch/undici), pg, ioredis and mongodb. Call it
 * before importing anything it instruments: `server.ts` starts it, then
 * imports the app dynamically.
 *
 * @example
 * const telemetry = startTelemetry({ service: 'user', zipkinUrl: process.env.ZIPKIN_URL })
 * const { main } = await import('./main.js')
 */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  if (!opts.zipkinUrl) return { shutdown: async () => {} }
  // ESM modules are patched through import-in-the-middle, which needs this loader hook.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url)
  const exporter = new ZipkinExporter({ url: new URL('/api/v2/spans', opts.zipkinUrl).toString(), serviceName: opts.service })
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.service }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500, maxExportBatchSize: 512 })],
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(opts.sampleRatio ?? 1) }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => IGNORED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
        ignoreOutgoingRequestHook: (request) => String(request.path ?? '').startsWith('/api/v2/spans'),
        redactedQueryParams: ['access_token', 'refresh_token', 'token'],
        redactedQueryParamsServer: ['access_token', 'refresh_token', 'token'],
        requestHook: (span, request) => {
          const url = 'url' in request ? request.url : (request as { path?: string }).path
          const host = 'headers' in request && typeof request.headers === 'object' ? (request.headers as Record<string, unknown>).host : undefined
          redactSpanUrl(span, url, host ? `http://${String(host)}` : undefined)
        },
      }),
      new UndiciInstrumentation({
        requestHook: (span, request) => redactSpanUrl(span, request.path, request.origin),
      }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation(),
      new MongoDBInstrumentation(),
    ],
  })
  sdk.start()
  return { shutdown: () => sdk.shutdown() }
}
