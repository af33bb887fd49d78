import { startTelemetry } from '@lms/kit/telemetry'

// Telemetry starts before the app is imported so http, pg and ioredis are instrumented.
const telemetry = startTelemetry({
  service: 'notification',
  zipkinUrl: process.env.ZIPKIN_URL,
  sampleRatio: Number(process.env.TRACE_SAMPLE_RATIO ?? 1),
})
const { main } = await import('./main.js')
await main(process.env, telemetry)
