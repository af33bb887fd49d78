import { startTelemetry } from '@lms/kit/telemetry'

// Telemetry patches fastify, undici and ioredis as they load, so nothing else is imported before it.
const telemetry = startTelemetry({
  service: 'gateway',
  zipkinUrl: process.env.ZIPKIN_URL,
  sampleRatio: process.env.TRACE_SAMPLE_RATIO ? Number(process.env.TRACE_SAMPLE_RATIO) : 1,
})
const { main } = await import('./main.js')
const { loadGatewayConfig } = await import('./config.js')
await main(loadGatewayConfig(process.env), telemetry)
