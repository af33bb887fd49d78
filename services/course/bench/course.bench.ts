// Course service benchmark through the gateway (issue 4): 10,000 generated courses bulk-inserted
// into MongoDB with their search index; GET /api/v1/courses/{id} and a search, MongoDB-only
// (CACHE_ENABLED=false) beside cold and warm Redis cache, one course service + gateway pair each,
// servers pinned to core 1 and this load generator to core 0 (as scripts/bench/stack.ts does).
// Prints req/s, p50/p99 and each process's CPU time per request. Stops by itself, drops its data.
// Run: node --import tsx --conditions=@lms/source services/course/bench/course.bench.ts
//   BENCH_DURATION_SECONDS  seconds per case (10; BENCH_DURATION_S still works)
//   BENCH_HOT_IDS        distinct courses read (100): on FerretDB's SQLite backend every uncached
//                        course read scans the whole collection, so warming many takes minutes
//   BENCH_MONGO_CONNECTIONS  connections of the MongoDB-only cases (5; at 50 on FerretDB every
//                        request outlives any sane timeout)
//   BENCH_DB_PID         pid of the MongoDB-compatible server, for its CPU time (default: the one
//                        `npm run infra` started)
//   BENCH_WARM_ONLY=1    only the cached cases that need no FerretDB scans (warm, fixed rate,
//                        invalidated): for profiling rounds
//   BENCH_COURSE_NODE_OPTIONS  NODE_OPTIONS of the cached course service, e.g. a profile:
//                        CPU_PROFILE_DIR=/tmp/prof BENCH_COURSE_NODE_OPTIONS="--import $PWD/services/assessment/bench/cpu-profile.mjs"
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { generateSigningKey } from '@lms/kit/testing'
import autocannon from 'autocannon'
import { Redis } from 'ioredis'
import { MongoClient } from 'mongodb'
import { SERVER_CORE, cpuMicros, loadAverage, pacedLoad, pinLoadGenerator } from '../../../scripts/bench/stack.js'
import { migrate } from '../src/migrate.js'
import { QUERIES, seedCatalog } from './catalog.js'

const COURSES = 10_000
const DURATION_S = Number(process.env.BENCH_DURATION_SECONDS ?? process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = 50
const MONGO_CONNECTIONS = Number(process.env.BENCH_MONGO_CONNECTIONS ?? 5)
const HOT_IDS = Number(process.env.BENCH_HOT_IDS ?? 100)
const WARM_ONLY = process.env.BENCH_WARM_ONLY === '1'
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const suffix = randomBytes(4).toString('hex')
const dbName = `bench_courses_${suffix}`
const prefix = `bench_course_${suffix}:`
const root = fileURLToPath(new URL('../../../', import.meta.url))
const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A JWKS endpoint for the gateway's readiness (the benchmark's requests are anonymous). */
async function serveJwks(): Promise<{ server: Server; url: string }> {
  const body = JSON.stringify({ keys: [generateSigningKey().publicJwk] })
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks` }
}

function spawnPinned(name: string, script: string, env: Record<string, string>): ChildProcess {
  const args = [process.execPath, '--import', 'tsx', '--conditions=@lms/source', script]
  const options: SpawnOptions = { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn', ZIPKIN_URL: '', TRACE_SAMPLE_RATIO: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] }
  const child = hasTaskset ? spawn('taskset', ['-c', SERVER_CORE, ...args], options) : spawn(args[0]!, args.slice(1), options)
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk.toString().slice(0, 500)}\n`))
  return child
}

async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise((r) => server.close(r))
  return port
}

async function waitReady(name: string, port: number) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return
    } catch { /* not up yet */ }
    await sleep(100)
  }
  throw new Error(`${name} was not ready on :${port} within 60 s`)
}

/** A course service (cache on or off) and a gateway in front of it; `stop()` ends both. */
async function startPair(label: string, cache: boolean, jwksUrl: string, nodeOptions = '') {
  const [servicePort, gatewayPort] = [await freePort(), await freePort()]
  const service = spawnPinned(`course ${label}`, 'services/course/src/server.ts', {
    PORT: String(servicePort), MONGO_URL, MONGO_DB: dbName, REDIS_URL, AMQP_URL: 'amqp://unused', EVENTS_ENABLED: 'false',
    JWKS_URL: jwksUrl, CACHE_PREFIX: prefix, CACHE_ENABLED: String(cache),
    // Warming the 10 searches on a loaded FerretDB can outlast the default 5 min of a page.
    CACHE_LIST_TTL_SECONDS: '3600', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
  })
  await waitReady(`course ${label}`, servicePort)
  const gateway = spawnPinned(`gateway ${label}`, 'gateway/src/server.ts', {
    PORT: String(gatewayPort), REDIS_URL, REDIS_KEY_PREFIX: `${prefix}gw:`, JWKS_URL: jwksUrl, UPSTREAM_COURSE_URL: `http://127.0.0.1:${servicePort}`,
    RATE_LIMIT_MAX: '1000000000', RATE_LIMIT_AUTH_MAX: '1000000000',
    // Slow cold reads must show as latency, not as a tripped breaker failing the next cases fast.
    UPSTREAM_TIMEOUT_MS: '120000', BREAKER_FAILURE_THRESHOLD: '1000000000',
  })
  await waitReady(`gateway ${label}`, gatewayPort)
  const stop = async () => {
    for (const child of [gateway, service]) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      // SIGTERM first, so a profiling preload can write its profile on exit.
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(kill)
    }
  }
  return { service, gateway, servicePort, gatewayPort, stop }
}
type Pair = Awaited<ReturnType<typeof startPair>>

/** The MongoDB-compatible server's pid when it runs from `npm run infra` (its CPU time is reported too). */
function databasePid(): number | undefined {
  try {
    const pid = Number(process.env.BENCH_DB_PID ?? readFileSync(`${root}.lms/run/mongo.pid`, 'utf8').trim())
    return cpuMicros(pid) >= 0 ? pid : undefined
  } catch {
    return undefined
  }
}

interface Figures { name: string; rps: number; p50: number; p99: number; requests: number; failed: number; cpu: string }

interface RunOptions { connections?: number; during?: () => Promise<void>; /** Offered load (req/s over all connections) instead of a closed loop. */ rate?: number }

async function run(name: string, pair: Pair, paths: string[], { connections = CONNECTIONS, during, rate }: RunOptions = {}): Promise<Figures> {
  const pids = { course: pair.service.pid!, gateway: pair.gateway.pid!, db: databasePid() }
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuMicros(pid) : 0]))
  let n = 0
  let running = true
  const side = during ? (async () => { while (running) { await during(); await sleep(500) } })() : undefined
  const url = `http://127.0.0.1:${pair.gatewayPort}`
  const next = () => ({ method: 'GET', path: paths[n++ % paths.length]! })
  const result = rate
    ? await pacedLoad(url, { rate, seconds: DURATION_S, connections, next, timeoutMs: 120_000 })
    : await autocannon({ url, connections, duration: DURATION_S, timeout: 120, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, ...next() }) }] })
  running = false
  await side
  const requests = result.requests.total
  const perRequest = (k: 'course' | 'gateway' | 'db') => {
    const pid = pids[k]
    return pid && requests > 0 ? `${k} ${((cpuMicros(pid) - before[k]!) / requests).toFixed(0)}` : `${k} -`
  }
  const cpu = `${perRequest('course')}  ${perRequest('gateway')}  ${perRequest('db')}`
  const f = { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests, failed: result.errors + result.non2xx, cpu }
  console.log(`${name.padEnd(52)} ${f.rps.toFixed(0).padStart(7)} req/s  p50 ${String(f.p50).padStart(5)} ms  p99 ${String(f.p99).padStart(5)} ms  n ${String(requests).padStart(6)}  failed ${f.failed}  CPU µs/req: ${cpu}`)
  return f
}

/** Open loop at half the rate the closed loop reached: the latency a caller sees when the core is not the queue. */
function halfRate(kind: string, pair: Pair, paths: string[], saturated: Figures): Promise<Figures> {
  const rate = Math.max(1, Math.round(saturated.rps / 2))
  return run(`${kind}  warm cache, offered ${rate} req/s (half)`, pair, paths, { rate })
}

async function clearCache(redis: Redis) {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length) await redis.del(...keys)
  } while (cursor !== '0')
}

/** Reads every path once through the pair, `concurrency` at a time (fills the cache between cases). */
async function warm(pair: Pair, paths: string[], concurrency = 4) {
  const started = Date.now()
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < paths.length) await (await fetch(`http://127.0.0.1:${pair.gatewayPort}${paths[next++]!}`)).arrayBuffer()
  }))
  console.log(`${''.padEnd(52)} (warmed ${paths.length} paths in ${((Date.now() - started) / 1000).toFixed(1)} s)`)
}

/**
 * Waits (up to 60 s) for the requests autocannon abandoned at the end of a case to finish: until
 * the database server (else the course service) spends under a fifth of a core.
 */
async function drain(pair: Pair) {
  const pid = databasePid() ?? pair.service.pid!
  for (let i = 0; i < 120; i++) {
    const a = cpuMicros(pid)
    await sleep(500)
    if (cpuMicros(pid) - a < 100_000) return
  }
}

async function main() {
  pinLoadGenerator()
  const client = new MongoClient(MONGO_URL, { retryWrites: false })
  await client.connect()
  const db = client.db(dbName)
  const redis = new Redis(REDIS_URL)
  const jwks = await serveJwks()
  const pairs: Pair[] = []
  try {
    await migrate(db)
    const started = Date.now()
    const ids = await seedCatalog(db, COURSES, `B${suffix}`)
    console.log(`seeded ${COURSES} courses and their search index in ${((Date.now() - started) / 1000).toFixed(1)} s (db ${dbName})`)

    // One at a time: FerretDB drops connections when two processes create the same indexes at once.
    const mongoOnly = WARM_ONLY ? undefined : await startPair('mongo-only', false, jwks.url)
    if (mongoOnly) pairs.push(mongoOnly)
    const cached = await startPair('cached', true, jwks.url, process.env.BENCH_COURSE_NODE_OPTIONS)
    pairs.push(cached)

    const hot = Array.from({ length: HOT_IDS }, (_, i) => ids[(i * 4999) % ids.length]!)
    const detail = hot.map((id) => `/api/v1/courses/${id}`)
    const search = QUERIES.map((q) => `/api/v1/courses/search?q=${encodeURIComponent(q)}&limit=20`)
    for (const [label, path] of mongoOnly ? [['detail', detail[0]!], ['search', search[0]!]] as const : []) {
      const t0 = performance.now()
      const res = await fetch(`http://127.0.0.1:${mongoOnly!.gatewayPort}${path}`)
      console.log(`one ${label} request, cache off, through the gateway: ${res.status} in ${(performance.now() - t0).toFixed(0)} ms`)
    }
    console.log(`\n${CONNECTIONS} connections, ${DURATION_S} s per case, ${HOT_IDS} distinct course ids, ${QUERIES.length} distinct queries; ` +
      `CPU per request of the course service, the gateway and the database server (shared with anything else using it); load average ${loadAverage()}\n`)

    const results: Record<string, Figures> = {}
    const r = (k: string) => results[k]
    if (mongoOnly) {
      results['detail mongo'] = await run(`detail  mongo-only (cache off), ${MONGO_CONNECTIONS} conns`, mongoOnly, detail, { connections: MONGO_CONNECTIONS })
      results['search mongo'] = await run(`search  mongo-only (cache off), ${MONGO_CONNECTIONS} conns`, mongoOnly, search, { connections: MONGO_CONNECTIONS })
      await mongoOnly.stop()
      await drain(mongoOnly)
      await clearCache(redis)
      results['detail cold'] = await run('detail  cold cache (starts empty)', cached, detail)
      await drain(cached)
    }
    await warm(cached, detail)
    results['detail warm'] = await run('detail  warm cache', cached, detail)
    results['detail half'] = await halfRate('detail', cached, detail, r('detail warm')!)
    if (mongoOnly) {
      await clearCache(redis)
      results['search cold'] = await run('search  cold cache (starts empty)', cached, search)
      await drain(cached)
    }
    await warm(cached, search, 2)
    results['search warm'] = await run('search  warm cache', cached, search)
    results['search half'] = await halfRate('search', cached, search, r('search warm')!)
    // Every course write bumps the list generation, so search pages are recomputed; course entries stay cached.
    results['search invalidated'] = await run('search  pages invalidated every 0.5 s', cached, search, { during: async () => { await redis.incr(`${prefix}courses:gen`) } })

    const ratio = (a: string, b: string) => (r(a) && r(b) ? `${(r(a)!.rps / r(b)!.rps).toFixed(1)}x` : '-')
    console.log(`\ndetail warm / mongo-only ${ratio('detail warm', 'detail mongo')} (target >= 5x), cold / mongo-only ${ratio('detail cold', 'detail mongo')}`)
    console.log(`search p99 at ${CONNECTIONS} connections (target <= 50 ms): warm closed loop ${r('search warm')!.p99} ms, ` +
      `warm at half the saturated rate ${r('search half')!.p99} ms, cold ${r('search cold')?.p99 ?? '-'} ms, ` +
      `pages invalidated ${r('search invalidated')!.p99} ms, mongo-only ${r('search mongo')?.p99 ?? '-'} ms`)
    console.log(`load average ${loadAverage()}`)
  } finally {
    for (const pair of pairs) await pair.stop()
    await clearCache(redis).catch(() => {})
    await db.dropDatabase().catch(() => {})
    await client.close()
    redis.disconnect()
    jwks.server.close()
  }
}

await main()
