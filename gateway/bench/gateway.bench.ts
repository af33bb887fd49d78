// Gateway overhead: the same requests through the gateway and straight to the
// user service, one process per core where the machine allows, loopback only.
// Run: npx tsx --conditions=@lms/source gateway/bench/gateway.bench.ts
import { generateSigningKey, randomName, signTestToken, testEnv } from '@lms/kit/testing'
import autocannon from 'autocannon'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { Pool } from 'undici'

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const GATEWAY_PORT = 18_480
const USER_PORT = 18_481
const root = fileURLToPath(new URL('../../', import.meta.url))
const cores = availableParallelism()
const LOADGEN_CORE = '0'
const SERVER_CORES = cores > 2 ? ['1', '2'] : ['1', '1']

function pin(core: string, pid: number) {
  try { execFileSync('taskset', ['-pc', core, String(pid)], { stdio: 'ignore' }) } catch { /* taskset missing: unpinned */ }
}

function start(name: string, script: string, env: Record<string, string>, core: string): ChildProcess {
  const child = spawn('taskset', ['-c', core, process.execPath, '--import', 'tsx', '--conditions=@lms/source', script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr!.on('data', (chunk) => process.stderr.write(`[${name}] ${chunk}`))
  return child
}

async function waitFor(url: string) {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    try { if ((await fetch(url)).ok) return } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${url} did not come up`)
}

function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  return (ticks / 100) * 1e6
}

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
  pin(LOADGEN_CORE, process.pid)
  const { redisUrl } = await testEnv()
  const redis = new Redis(redisUrl)
  const prefix = `${randomName('gwbench')}:`
  const key = generateSigningKey()
  const children: ChildProcess[] = []
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM')
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  }
  try {
    const sessionKeyPrefix = `${prefix}session:`
    const user = start('user', 'gateway/bench/user-stand-in.ts', {
      PORT: String(USER_PORT), REDIS_URL: redisUrl, SESSION_KEY_PREFIX: sessionKeyPrefix, BENCH_JWKS: JSON.stringify({ keys: [key.publicJwk] }),
    }, SERVER_CORES[1]!)
    const gateway = start('gateway', 'gateway/src/server.ts', {
      PORT: String(GATEWAY_PORT), HOST: '127.0.0.1', LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'warn', REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix, SESSION_KEY_PREFIX: sessionKeyPrefix, UPSTREAM_USER_URL: `http://127.0.0.1:${USER_PORT}`,
      RATE_LIMIT_MAX: '100000000', ZIPKIN_URL: '',
    }, SERVER_CORES[0]!)
    children.push(user, gateway)
    await waitFor(`http://127.0.0.1:${USER_PORT}/.well-known/jwks.json`)
    await waitFor(`http://127.0.0.1:${GATEWAY_PORT}/health/live`)

    // "Register" a user: a live session in Redis and its access token, as the user service would issue.
    const sid = randomUUID()
    await redis.set(sessionKeyPrefix + sid, 'bench', 'EX', 3600)
    const token = signTestToken(key, { sub: randomUUID(), role: 'student', sid })
    const auth = { authorization: `Bearer ${token}` }
    const gw = `http://127.0.0.1:${GATEWAY_PORT}`
    const direct = `http://127.0.0.1:${USER_PORT}`
    for (const base of [gw, direct]) await autocannon({ url: `${base}/api/v1/users/profile`, headers: auth, connections: CONNECTIONS, duration: 2 })

    console.log(`gateway bench: ${cores} cores, load generator on core ${LOADGEN_CORE}, gateway on ${SERVER_CORES[0]}, user on ${SERVER_CORES[1]}; ${CONNECTIONS} connections, ${DURATION}s per run; user upstream: stand-in`)
    const runs = {
      profileGateway: await load(`${gw}/api/v1/users/profile`, auth, gateway.pid),
      profileDirect: await load(`${direct}/api/v1/users/profile`, auth, user.pid),
      jwksGateway: await load(`${gw}/.well-known/jwks.json`, {}, gateway.pid),
      jwksDirect: await load(`${direct}/.well-known/jwks.json`, {}, user.pid),
    }
    console.log('\nscenario                     req/s   p50 ms   p99 ms  server CPU µs/req  non-2xx')
    for (const [name, run] of Object.entries(runs)) {
      console.log(`${name.padEnd(22)}${fmt(run.rps)}${fmt(run.p50, 1)}${fmt(run.p99, 1)}${run.cpuPerRequestUs === undefined ? '          -    ' : fmt(run.cpuPerRequestUs, 1).padStart(19)}${fmt(run.errors)}`)
    }
    console.log(`\ngateway/direct throughput: profile ${(runs.profileGateway.rps / runs.profileDirect.rps).toFixed(2)} (target ≥ 0.5), jwks ${(runs.jwksGateway.rps / runs.jwksDirect.rps).toFixed(2)}`)
    console.log(`gateway CPU per authenticated request: ${runs.profileGateway.cpuPerRequestUs!.toFixed(1)} µs (target ≤ 100); per public request: ${runs.jwksGateway.cpuPerRequestUs!.toFixed(1)} µs`)
    console.log(`load average during the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${cores} cores`)

    const rate = Math.max(100, Math.floor(runs.profileGateway.rps / 2))
    const seconds = Math.max(3, Math.floor(DURATION / 2))
    const viaGateway = await pacedLatency(gw, '/api/v1/users/profile', auth, rate, seconds)
    const straight = await pacedLatency(direct, '/api/v1/users/profile', auth, rate, seconds)
    console.log(`\nadded latency at ${rate} req/s (half the gateway's saturated rate): p50 ${((viaGateway.p50 - straight.p50) / 1000).toFixed(3)} ms (target ≤ 0.3), p99 ${((viaGateway.p99 - straight.p99) / 1000).toFixed(3)} ms (target ≤ 2)`)
    console.log(`  through gateway p50 ${(viaGateway.p50 / 1000).toFixed(3)} ms p99 ${(viaGateway.p99 / 1000).toFixed(3)} ms; direct p50 ${(straight.p50 / 1000).toFixed(3)} ms p99 ${(straight.p99 / 1000).toFixed(3)} ms`)
  } finally {
    await stop()
  }
}

await main()
