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
      }),
      new UndiciInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation(),
      new MongoDBInstrumentation(),
    ],
  })
  sdk.start()
  return { shutdown: () => sdk.shutdown() }
}
