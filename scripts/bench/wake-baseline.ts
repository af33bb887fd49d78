/**
 * What serving a request costs this machine before any of our code runs: a bare Node http server
 * (hello-server.mjs) on the servers' core, paced from the load generator over 50 connections at a low
 * rate, where each request wakes it from sleep, and at a high one, where one wake serves several.
 * Printed first by the enrollment and assessment benchmarks, so their CPU and wakes per request
 * read against it (scripts/bench/README.md, "What a wake costs").
 *
 * @example
 * console.log(await wakeBaseline())
 * // machine baseline, a bare Node http server on core 1, 50 connections: 200 req/s 840 µs in 1.3 wakes
 * // per request (p99 4.5 ms), 1000 req/s 246 µs in 0.9 wakes per request (p99 5 ms); per wake 667 and 279 µs
 */
import { once } from 'node:events'
import { SERVER_CORE, meterRequests, pacedLoad, spawnServer } from './stack.js'

const RATES = [200, 1000]
const SECONDS = 5
const CONNECTIONS = 50

export async function wakeBaseline(): Promise<string> {
  const server = spawnServer('scripts/bench/hello-server.mjs', { cwd: new URL('../../', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const [port] = await Promise.race([
      once(server.stdout!, 'data') as Promise<[Buffer]>,
      once(server, 'exit').then(([code]) => { throw new Error(`hello-server.mjs exited (${code}) before listening`) }),
    ])
    const origin = `http://127.0.0.1:${Number(String(port))}`
    const runs = []
    for (const rate of RATES) {
      const meter = meterRequests({ server: server.pid! })
      const result = await pacedLoad(origin, { rate, seconds: SECONDS, connections: CONNECTIONS, next: () => ({ method: 'GET', path: '/' }) })
      runs.push({ rate, p99: result.latency.p99, ...meter.perRequest(result.requests.total).server! })
    }
    return `machine baseline, a bare Node http server on core ${SERVER_CORE}, ${CONNECTIONS} connections: `
      + runs.map((r) => `${r.rate} req/s ${r.micros.toFixed(0)} µs in ${r.wakes.toFixed(1)} wakes per request (p99 ${r.p99} ms)`).join(', ')
      + `; per wake ${runs.map((r) => (r.micros / Math.max(r.wakes, 0.01)).toFixed(0)).join(' and ')} µs`
  } finally {
    server.kill('SIGTERM')
    await once(server, 'exit')
  }
}
