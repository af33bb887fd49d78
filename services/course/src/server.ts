import { startTelemetry } from '@lms/kit/telemetry'

const telemetry = startTelemetry({
  service: 'course',
  zipkinUrl: process.env.ZIPKIN_URL,
  sampleRatio: process.env.TRACE_SAMPLE_RATIO ? Number(process.env.TRACE_SAMPLE_RATIO) : 1,
})
const { main } = await import('./main.js')
await main(process.env, telemetry)
