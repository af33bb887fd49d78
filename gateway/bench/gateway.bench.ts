// Gateway overhead: the same requests through the gateway, through a bare @fastify/http-proxy
// (bare-proxy.ts, the reference) and straight to the real user service (scripts/bench/stack.ts:
// fresh schema, vhost and Redis prefix; servers on core 1, this load generator on core 0), for an
// authenticated profile read and a public route. Stops by itself.
// Run: node --import tsx --conditions=@lms/source gateway/bench/gateway.bench.ts
import autocannon from 'autocannon'
import { availableParallelism } from 'node:os'
import { Pool } from 'undici'
import { LOADGEN_CORE, SERVER_CORE, cpuMicros, loadAverage, pinLoadGenerator, startStack } from '../../scripts/bench/stack.js'
import { startBareProxy, type ReferenceServer } from './reference-server.js'

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const cores = availableParallelism()
/** `cpuPerRequestUs` is the server process's: the gateway's through it, the user service's directly. */
interface Run { rps: number; p50: number; p99: number; requests: number; errors: number; cpuPerRequestUs?: number }

async function load(url: string, headers: Record<string, string>, pid?: number): Promise<Run> {
  const before = pid ? cpuMicros(pid) : 0
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION, pipelining: 1 })
  const requests = result.requests.total
  const non2xx = result.non2xx + result.errors
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests,
    errors: non2xx,
    ...(pid ? { cpuPerRequestUs: (cpuMicros(pid) - before) / requests } : {}),
  }
}

/** Paced requests at a fixed rate, timed in microseconds (autocannon's histogram has 1 ms resolution). */
async function pacedLatency(origin: string, path: string, headers: Record<string, string>, rate: number, seconds: number) {
  const pool = new Pool(origin, { connections: 64 })
  const samples: number[] = []
  const interval = 1000 / rate
  const started = performance.now()
  const total = Math.floor(rate * seconds)
  const inflight: Array<Promise<void>> = []
  for (let i = 0; i < total; i++) {
    const due = started + i * interval
    const wait = due - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    inflight.push((async () => {
      const t0 = process.hrtime.bigint()
      const res = await pool.request({ method: 'GET', path, headers })
      await res.body.dump()
      if (i > rate / 2) samples.push(Number(process.hrtime.bigint() - t0) / 1000)
    })())
  }
  await Promise.all(inflight)
  await pool.close()
  samples.sort((a, b) => a - b)
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!
  return { p50: at(0.5), p99: at(0.99) }
}

const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(9)


async function main() {
  pinLoadGenerator()
  const stack = await startStack()
  let bare: ReferenceServer | undefined
  try {
    bare = await startBareProxy(stack.urls.user!)
    const [student] = await stack.registerUsers(1)
    const auth = { authorization: student!.authorization }
    const gateway = { pid: stack.pids.gateway! }
    const user = { pid: stack.pids.user! }
    const gw = stack.gatewayUrl
    const direct = stack.urls.user!
    for (const base of [gw, bare.url, direct]) await autocannon({ url: `${base}/api/v1/users/profile`, headers: auth, connections: CONNECTIONS, duration: 2 })

    console.log(`gateway bench: ${cores} cores, load generator on core ${LOADGEN_CORE}, gateway, bare proxy and user service on core ${SERVER_CORE}; ${CONNECTIONS} connections, ${DURATION}s per run; user upstream: the real user service (PostgreSQL profile read)`)
    const runs = {
      profileGateway: await load(`${gw}/api/v1/users/profile`, auth, gateway.pid),
      profileBare: await load(`${bare.url}/api/v1/users/profile`, auth, bare.pid),
      profileDirect: await load(`${direct}/api/v1/users/profile`, auth, user.pid),
      jwksGateway: await load(`${gw}/.well-known/jwks.json`, {}, gateway.pid),
      jwksBare: await load(`${bare.url}/.well-known/jwks.json`, {}, bare.pid),
      jwksDirect: await load(`${direct}/.well-known/jwks.json`, {}, user.pid),
    }
    console.log('\nscenario                     req/s   p50 ms   p99 ms  server CPU µs/req  non-2xx')
    for (const [name, run] of Object.entries(runs)) {
      console.log(`${name.padEnd(22)}${fmt(run.rps)}${fmt(run.p50, 1)}${fmt(run.p99, 1)}${run.cpuPerRequestUs === undefined ? '          -    ' : fmt(run.cpuPerRequestUs, 1).padStart(19)}${fmt(run.errors)}`)
    }
    console.log(`\ngateway/direct throughput: profile ${(runs.profileGateway.rps / runs.profileDirect.rps).toFixed(2)} (target ≥ 0.5), jwks ${(runs.jwksGateway.rps / runs.jwksDirect.rps).toFixed(2)}`)
    console.log(`gateway CPU per authenticated request: ${runs.profileGateway.cpuPerRequestUs!.toFixed(1)} µs (target ≤ 100); per public request: ${runs.jwksGateway.cpuPerRequestUs!.toFixed(1)} µs`)
    console.log(`bare proxy CPU per request: profile ${runs.profileBare.cpuPerRequestUs!.toFixed(1)} µs, jwks ${runs.jwksBare.cpuPerRequestUs!.toFixed(1)} µs; gateway ÷ bare: profile ${(runs.profileGateway.cpuPerRequestUs! / runs.profileBare.cpuPerRequestUs!).toFixed(2)}, jwks ${(runs.jwksGateway.cpuPerRequestUs! / runs.jwksBare.cpuPerRequestUs!).toFixed(2)}`)
    console.log(`load average during the run: ${loadAverage()}`)

    const rate = Math.max(100, Math.floor(runs.profileGateway.rps / 2))
    const seconds = Math.max(3, Math.floor(DURATION / 2))
    const viaGateway = await pacedLatency(gw, '/api/v1/users/profile', auth, rate, seconds)
    const viaBare = await pacedLatency(bare.url, '/api/v1/users/profile', auth, rate, seconds)
    const straight = await pacedLatency(direct, '/api/v1/users/profile', auth, rate, seconds)
    const ms = (us: number) => (us / 1000).toFixed(3)
    console.log(`\nadded latency at ${rate} req/s (half the gateway's saturated rate): gateway p50 ${ms(viaGateway.p50 - straight.p50)} ms (target ≤ 0.3), p99 ${ms(viaGateway.p99 - straight.p99)} ms (target ≤ 2); bare proxy p50 ${ms(viaBare.p50 - straight.p50)} ms, p99 ${ms(viaBare.p99 - straight.p99)} ms`)
    console.log(`  through gateway p50 ${ms(viaGateway.p50)} ms p99 ${ms(viaGateway.p99)} ms; bare proxy p50 ${ms(viaBare.p50)} ms p99 ${ms(viaBare.p99)} ms; direct p50 ${ms(straight.p50)} ms p99 ${ms(straight.p99)} ms`)
    console.log(`load average after the paced runs: ${loadAverage()}`)
  } finally {
    await bare?.stop()
    await stack.stop()
  }
}

await main()
