/**
 * The benchmark harness: the real services and the gateway as child processes on loopback, each
 * with a fresh PostgreSQL schema and role, its own RabbitMQ vhost (created through the management
 * API and deleted after) and a random gateway Redis key prefix; servers pinned to core 1 and the
 * load generator to core 0 with `taskset` where it exists. Everything stops at the end, also on
 * SIGINT/SIGTERM.
 *
 * @example
 * const stack = await startStack({ services: ['enrollment'] })
 * try {
 *   const [student] = await stack.registerUsers(1)
 *   await stack.publishCourse(courseSnapshot({ capacity: 50 }))
 * } finally {
 *   await stack.stop()
 * }
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { createServer } from 'node:net'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AmqpConnection, EventPublisher, createEvent, type EventData, type EventType } from '@lms/events'
import { createPostgres, createRedis } from '@lms/kit'
import { TICK_MS, processTicks, processWakes } from './proc-cpu.mjs'
import { createTestDatabase, generateSigningKey, signTestToken, testEnv, type TestSigningKey } from '@lms/kit/testing'

export type ServiceName = 'user' | 'enrollment' | 'assessment' | 'notification'

const root = fileURLToPath(new URL('../../', import.meta.url))
const SERVICE_DIRS: Record<ServiceName, string> = {
  user: 'services/user', enrollment: 'services/enrollment', assessment: 'services/assessment', notification: 'services/notification',
}
const UPSTREAM_VARS: Record<ServiceName, string> = {
  user: 'UPSTREAM_USER_URL', enrollment: 'UPSTREAM_ENROLLMENT_URL', assessment: 'UPSTREAM_ASSESSMENT_URL', notification: 'UPSTREAM_NOTIFICATION_URL',
}
/** The core servers run on and the one the load generator runs on (the same on a 1-core machine). */
export const SERVER_CORE = availableParallelism() > 1 ? '1' : '0'
export const LOADGEN_CORE = '0'
const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0

export interface StackOptions {
  /** Services besides the user service (always started). */
  services?: Array<Exclude<ServiceName, 'user'>>
  /** Extra env per service or for the gateway. */
  env?: Partial<Record<ServiceName | 'gateway', Record<string, string>>>
  logLevel?: string
  /**
   * Traces every process to `ZIPKIN_URL` with `TRACE_SAMPLE_RATIO=1` (for trace tests). Off by
   * default: benchmarks run without Zipkin unless `BENCH_TRACING=1`.
   */
  zipkin?: boolean
  /**
   * The cores the servers run on, as a `taskset -c` list. Default SERVER_CORE: every server on one
   * core, the load generator (pinLoadGenerator) alone on the other; `'0,1'` lets the servers use both.
   */
  serverCores?: string
  /**
   * A `taskset -c` list for single processes, over `serverCores`. The enrollment and assessment
   * benchmarks move the user service, which no measured request reaches, to the load generator's
   * core: idle, its memory-reducer GCs (100–200 ms) otherwise take the measured core from the
   * service under test, and the slowest requests waited behind them (see `describeTailCpu`).
   */
  coresFor?: Partial<Record<ServiceName | 'gateway', string>>
}

export interface BenchUser { id: string; email: string; password: string; role: string; accessToken: string; authorization: string; sid: string }

export interface Stack {
  gatewayUrl: string
  /** Each started service's own URL (for direct comparisons). */
  urls: Partial<Record<ServiceName, string>>
  pids: Partial<Record<ServiceName | 'gateway', number>>
  /** The admin created from ADMIN_EMAIL/ADMIN_PASSWORD, logged in through the gateway. */
  admin: BenchUser
  /** Registers students through the gateway (`POST /api/v1/auth/register`), `concurrency` at a time. */
  registerUsers(count: number, concurrency?: number): Promise<BenchUser[]>
  /**
   * Students without the bcrypt cost of registering: a `user.registered` event on the stack's vhost
   * (so consumers learn them), a live session in Redis and an access token signed with the user
   * service's own key — what register would have produced. For thousands of users.
   */
  mintUsers(count: number): Promise<BenchUser[]>
  /** Publishes an event on the stack's vhost, as its producer's outbox relay would. */
  publish<T extends EventType>(type: T, data: EventData<T>, source: string): Promise<void>
  /** Publishes `course.published` (as the course service would) and returns the snapshot. */
  publishCourse(overrides?: Partial<EventData<'course.published'>> & { lessons?: number }): Promise<EventData<'course.published'> & { lessonIds: string[] }>
  /** Every started server's GC pause totals so far (gateway and services), for {@link describeGc}. */
  gcPauses(): Promise<Record<string, GcPauses>>
  /** A Kysely handle on a started service's own schema (as that service's role) for readiness polls. */
  database(service: ServiceName): ReturnType<typeof createPostgres<any>>
  stop(): Promise<void>
}

/** Pins this process (the load generator) to its core. */
export function pinLoadGenerator() {
  if (hasTaskset) spawnSync('taskset', ['-pc', LOADGEN_CORE, String(process.pid)], { stdio: 'ignore' })
}

/**
 * Runs a TypeScript entry point (through tsx, with the `@lms/source` condition) as a server pinned
 * to `cores` (SERVER_CORE by default), as the stack's own children are: for reference servers a
 * benchmark adds itself.
 */
export function spawnServer(entry: string, options: SpawnOptions, cores = SERVER_CORE): ChildProcess {
  const built = process.env.BENCH_RUNTIME === 'dist' && entry.startsWith('src/')
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)
  const args = built
    ? [process.execPath, ...flags, entry.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js')]
    : [process.execPath, ...flags, '--import', 'tsx', '--conditions=@lms/source', entry]
  return hasTaskset ? spawn('taskset', ['-c', cores, ...args], options) : spawn(args[0]!, args.slice(1), options)
}

/** User + system CPU time of a process so far, in microseconds (Linux /proc). */
export function cpuMicros(pid: number): number {
  const ticks = processTicks(pid)
  if (ticks === undefined) throw new Error(`process ${pid} is gone`)
  return ticks * TICK_MS * 1000
}

/**
 * Meters the CPU time and the wakes (see `processWakes`) of `pids` from now on; `describe(requests)`
 * divides them by the requests served: `enrollment 2010 µs in 3.0 wakes, gateway 1830 µs in 2.6 wakes`.
 * At a low, evenly paced rate nearly every request wakes each server on its way, and the CPU per
 * request is then mostly what those wakes cost (scripts/bench/README.md, "What a wake costs").
 */
export function meterRequests(pids: Record<string, number>) {
  const read = (pid: number) => ({ micros: cpuMicros(pid), wakes: processWakes(pid) ?? 0 })
  const before = Object.entries(pids).map(([name, pid]) => ({ name, pid, ...read(pid) }))
  return {
    perRequest(requests: number): Record<string, { micros: number; wakes: number }> {
      const n = Math.max(requests, 1)
      return Object.fromEntries(before.map(({ name, pid, micros, wakes }) => {
        const now = read(pid)
        return [name, { micros: (now.micros - micros) / n, wakes: (now.wakes - wakes) / n }]
      }))
    },
    describe(requests: number): string {
      return Object.entries(this.perRequest(requests))
        .map(([name, { micros, wakes }]) => `${name} ${micros.toFixed(0).padStart(5)} µs in ${wakes.toFixed(1)} wakes`).join(', ')
    },
  }
}

/**
 * How many times a benchmark repeats each fixed-rate case (`BENCH_PACED_ROUNDS`, 3). One 10 s run's
 * p99 rests on its 20 slowest requests, so one GC pause or a busy neighbour moves it several-fold
 * from run to run on a 2-core machine; the spread of a few runs and their median say more.
 */
export const PACED_ROUNDS = Math.max(1, Number(process.env.BENCH_PACED_ROUNDS ?? 3))

/** `p99 of 3 runs: 23.0, 42.1, 77.0 ms, median 42.1 ms` for repeated runs of one case. */
export function describeP99s(p99s: number[]): string {
  const sorted = [...p99s].sort((a, b) => a - b)
  return `p99 of ${p99s.length} runs: ${sorted.map((p) => p.toFixed(1)).join(', ')} ms, median ${sorted[Math.floor((sorted.length - 1) / 2)]!.toFixed(1)} ms`
}

/**
 * How often {@link sampleCpu} reads the CPU counters, in ms. /proc counts in 10 ms ticks. Every 10 ms,
 * opening each file per read, the sampler took 10 % of a core on its own here and 11–17 % of the CPU
 * it sampled during benchmarks, on the load generator's core; with its files kept open, every 20 ms,
 * about 5 % of a core.
 */
export const SAMPLE_MS = 20

/** What {@link sampleCpu} recorded: per sample ({@link SAMPLE_MS}), the epoch ms and each group's CPU ms since the previous sample (the `machine:` columns: all cores' busy, idle and steal ms). */
export interface CpuSamples { names: string[]; rows: number[][] }

/**
 * Records, every {@link SAMPLE_MS} and out of this process (a child on the load generator's core, so the
 * generator's timing stays its own), the CPU time of the given servers, of this load generator
 * (`loadgen`), of the sampler itself and of PostgreSQL, Redis and RabbitMQ, and the whole machine's
 * busy, idle and steal time, until `stop()`. With {@link describeTailCpu}: who had the CPU while the slowest requests waited.
 */
export function sampleCpu(pids: Record<string, number>): { stop(): Promise<CpuSamples> } {
  const script = fileURLToPath(new URL('./cpu-sampler.mjs', import.meta.url))
  // The load generator too: its own stalls (GC, a busy core) delay the sends the latencies start from.
  const args = [process.execPath, script, JSON.stringify({ ...pids, loadgen: process.pid }), String(SAMPLE_MS)]
  const child = hasTaskset ? spawn('taskset', ['-c', LOADGEN_CORE, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(args[0]!, args.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString('utf8') })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return {
    async stop() {
      child.stdin!.end()
      await exited
      const [header = '', ...lines] = out.trim().split('\n')
      return { names: header.split(' '), rows: lines.map((line) => line.split(' ').map(Number)) }
    },
  }
}

/**
 * `while the p99 requests waited: enrollment 48 %, postgres 21 %, user 19 % (whole run: enrollment
 * 55 %, postgres 30 %, user 1 %); all cores: busy 91 % (interrupts 20 %, outside the processes above
 * 31 %), steal 2 %, idle 7 % (whole run: …)`: each group's share of the CPU time used during the
 * lifetimes of the run's slowest requests, beside its share over the whole run, then the machine's.
 * A group whose share jumps is what the slow requests waited behind. Steal is the hypervisor running
 * something else on this VM's CPUs; interrupts include softirqs, where the kernel processes loopback
 * TCP for no process; "outside the processes above" is busy time no sampled process was charged
 * with (interrupts, kernel threads, anything else running).
 */
export function describeTailCpu(samples: CpuSamples, slowest: Array<[number, number]>): string {
  if (samples.rows.length < 2 || slowest.length === 0) return 'no samples'
  // The sampler writes the process groups first and the machine: columns last.
  const groups = samples.names.filter((name) => !name.startsWith('machine:'))
  const machineAt = (name: string) => samples.names.indexOf(`machine:${name}`)
  const during = samples.names.map(() => 0)
  const overall = samples.names.map(() => 0)
  for (const [t = 0, ...ms] of samples.rows) {
    // A sample covers the SAMPLE_MS before its time stamp.
    const inTail = slowest.some(([sent, answered]) => t > sent && t - SAMPLE_MS < answered)
    ms.forEach((v, i) => { overall[i]! += v; if (inTail) during[i]! += v })
  }
  const shares = (xs: number[]) => {
    const total = groups.reduce((sum, _name, i) => sum + xs[i]!, 0) || 1
    return groups.map((name, i) => [name, (100 * xs[i]!) / total] as const).filter(([, pct]) => pct >= 5).sort((a, b) => b[1] - a[1])
      .map(([name, pct]) => `${name} ${pct.toFixed(0)} %`).join(', ')
  }
  const machine = (xs: number[]) => {
    if (machineAt('busy') < 0) return ''
    const [busy, idle, steal, interrupts] = ['busy', 'idle', 'steal', 'interrupts'].map((name) => xs[machineAt(name)] ?? 0)
    const all = busy! + idle! + steal! || 1
    const sampled = groups.reduce((sum, _name, i) => sum + xs[i]!, 0)
    const pct = (v: number) => `${((100 * v) / all).toFixed(0)} %`
    return `busy ${pct(busy!)} (interrupts ${pct(interrupts!)}, outside the processes above ${pct(Math.max(0, busy! - sampled))}), steal ${pct(steal!)}, idle ${pct(idle!)}`
  }
  const tail = `while the p99 requests waited: ${shares(during)} (whole run: ${shares(overall)})`
  return machineAt('busy') < 0 ? tail : `${tail}; all cores: ${machine(during)} (whole run: ${machine(overall)})`
}

/** A server's garbage-collection pauses so far, from its own `/metrics` (prom-client's `nodejs_gc_duration_seconds`). */
export interface GcPauses { count: number; ms: number; over10ms: number; majorMs: number }

/** Reads a server's GC pause totals; diff two readings with {@link describeGc}. */
export async function gcPauses(origin: string): Promise<GcPauses> {
  const text = await (await fetch(`${origin}/metrics`)).text()
  const sum = (prefix: string, filter: (line: string) => boolean = () => true) => text.split('\n')
    .filter((line) => line.startsWith(prefix) && filter(line))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)
  const count = sum('nodejs_gc_duration_seconds_count')
  return {
    count,
    ms: sum('nodejs_gc_duration_seconds_sum') * 1000,
    over10ms: count - sum('nodejs_gc_duration_seconds_bucket', (line) => line.includes('le="0.01"')),
    majorMs: sum('nodejs_gc_duration_seconds_sum', (line) => line.includes('kind="major"') || line.includes('kind="incremental"')) * 1000,
  }
}

/**
 * What each server's GC took between two readings of {@link Stack.gcPauses}, servers without a
 * pause left out: `gateway 7 pauses 136 ms (7 over 10 ms); enrollment 14 pauses 74 ms (0 over 10 ms)`.
 */
export function describeGc(before: Record<string, GcPauses>, after: Record<string, GcPauses>): string {
  const parts = Object.entries(after).flatMap(([name, a]) => {
    const b = before[name]
    if (!b || a.count === b.count) return []
    const major = a.majorMs - b.majorMs
    return [`${name} ${a.count - b.count} pauses ${(a.ms - b.ms).toFixed(0)} ms (${a.over10ms - b.over10ms} over 10 ms${major >= 1 ? `, major/incremental ${major.toFixed(0)} ms` : ''})`]
  })
  return parts.length ? parts.join('; ') : 'no pauses'
}

/**
 * Starts watching a paced run: the servers' GC pauses from now on, and {@link sampleCpu}. Once the run
 * is over, `notes(result)` stops the sampler and gives the two lines the benchmarks print under it:
 * `GC: …` ({@link describeGc}) and `CPU while the p99 requests waited: …` ({@link describeTailCpu}).
 */
export async function watchRun(stack: Stack): Promise<{ notes(result: PacedResult): Promise<string[]> }> {
  const gcBefore = await stack.gcPauses()
  const sampler = sampleCpu(stack.pids as Record<string, number>)
  return {
    async notes(result) {
      const cpu = await sampler.stop()
      return [`GC: ${describeGc(gcBefore, await stack.gcPauses())}`, `CPU ${describeTailCpu(cpu, result.slowest)}`]
    },
  }
}

/**
 * Runs one fixed-rate case {@link PACED_ROUNDS} times, through the gateway and then directly in each
 * round, and prints the p99 of every run with their median ({@link describeP99s}). `run` gets the
 * side and the round's label suffix (` (2/3)`) and returns that run's p99.
 */
export async function pacedRounds(rate: number, run: (side: 'gateway' | 'direct', round: string) => Promise<number>): Promise<void> {
  const p99s = { gateway: [] as number[], direct: [] as number[] }
  for (let round = 1; round <= PACED_ROUNDS; round++) {
    const of = PACED_ROUNDS > 1 ? ` (${round}/${PACED_ROUNDS})` : ''
    p99s.gateway.push(await run('gateway', of))
    p99s.direct.push(await run('direct', of))
  }
  if (PACED_ROUNDS > 1) console.log(`  ${rate} req/s through the gateway: ${describeP99s(p99s.gateway)}; direct: ${describeP99s(p99s.direct)}`)
}

/** Resident set size of a process, in bytes. */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024
}

export function loadAverage() {
  // cpus(), not availableParallelism(): the latter shrinks to 1 once this process is pinned.
  return `${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${cpus().length} cores`
}

/** One request of a paced run. */
export interface PacedRequest { method: string; path: string; headers?: Record<string, string>; body?: string }

/** What a paced run measured, in the shape of the autocannon result fields the benchmarks print. */
export interface PacedResult {
  requests: { average: number; total: number; sent: number }
  /** Milliseconds, from each request's scheduled send time. */
  latency: { p50: number; p99: number }
  non2xx: number
  errors: number
  timeouts: number
  /** `[sent, answered]` (epoch ms) of the requests at or above the p99, for {@link describeTailCpu}. */
  slowest: Array<[number, number]>
}

/**
 * Open-loop load: `rate` requests a second, evenly spaced, for `seconds`, over at most `connections`
 * keep-alive connections. Latency runs from each request's scheduled time, so a server (or this
 * generator) falling behind shows in it. autocannon's `overallRate` is not used for this: it sends
 * each connection's quota for the second back to back when the second starts, and then "corrects"
 * every latency against a 1 ms interval, which multiplies the percentiles it reports. The first
 * `warmupSeconds` (1) run at the same rate unrecorded: opening the connections and the first, cold
 * requests cost tens of ms, which is the whole p99 of a short run (a hello-world server at 200 req/s:
 * p99 54 ms with them, under 2 ms without).
 */
export async function pacedLoad(origin: string, opts: { rate: number; seconds: number; connections: number; next: (i: number) => PacedRequest; timeoutMs?: number; warmupSeconds?: number }): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections })
  const target = new URL(origin)
  const timeout = opts.timeoutMs ?? 30_000
  const total = Math.max(1, Math.round(opts.rate * opts.seconds))
  const warmup = Math.round(opts.rate * (opts.warmupSeconds ?? 1))
  const interval = 1000 / opts.rate
  const latencies: number[] = []
  const spans: Array<[number, number]> = []
  let non2xx = 0
  let errors = 0
  let timeouts = 0
  const send = (req: PacedRequest, due: number, record: boolean) => new Promise<void>((resolve) => {
    const call = httpRequest({ agent, host: target.hostname, port: target.port, method: req.method, path: req.path, headers: req.headers ?? {}, timeout }, (res) => {
      res.resume()
      res.on('end', () => {
        if (record && (res.statusCode! < 200 || res.statusCode! >= 300)) non2xx++
        if (record) {
          const done = performance.now()
          latencies.push(done - due)
          spans.push([due, done])
        }
        resolve()
      })
    })
    let timedOut = false
    call.on('timeout', () => { timedOut = true; if (record) timeouts++; call.destroy() })
    call.on('error', () => { if (record && !timedOut) errors++; resolve() })
    call.end(req.body)
  })
  const begun = performance.now()
  const started = begun + warmup * interval
  const inflight: Array<Promise<void>> = []
  for (let i = 0; i < warmup + total; i++) {
    const due = begun + i * interval
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    inflight.push(send(opts.next(i), due, i >= warmup))
  }
  await Promise.all(inflight)
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies.length ? Math.round(10 * latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!) / 10 : Number.NaN
  const p99 = at(0.99)
  const slowest = spans.filter(([due, done]) => done - due >= p99 - 0.05)
    .map(([due, done]): [number, number] => [performance.timeOrigin + due, performance.timeOrigin + done])
  return { requests: { average: latencies.length / elapsed, total: latencies.length, sent: total }, latency: { p50: at(0.5), p99 }, non2xx, errors, timeouts, slowest }
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value) return value
    } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${what} within ${timeoutMs / 1000}s`)
}

/** A UUIDv7 (time-ordered), as every id in the platform is; scripts/ has no uuidv7 dependency of its own. */
export function uuidv7(): string {
  const bytes = randomBytes(16)
  bytes.writeUIntBE(Date.now(), 0, 6)
  bytes[6] = (bytes[6]! & 0x0f) | 0x70
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A TCP port free on loopback right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function managementApi(base: string) {
  const url = new URL(base)
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
  const origin = `${url.protocol}//${url.host}`
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${origin}/api${path}`, {
      method, headers: { authorization: auth, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    })
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new Error(`RabbitMQ management ${method} ${path}: ${res.status}`)
  }
}

function decodeClaims(token: string): { sub: string; sid: string; role: string } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = await testEnv()
  const managementUrl = process.env.RABBITMQ_MANAGEMENT_URL
  if (!managementUrl) throw new Error('RABBITMQ_MANAGEMENT_URL is not set (source .lms/infra.env)')
  const services: ServiceName[] = ['user', ...(options.services ?? [])]
  const cleanups: Array<() => unknown> = []
  const children = new Map<string, ChildProcess>()
  const sessionKeys = new Set<string>()
  const databases = new Map<ServiceName, { url: string; schema: string }>()
  const redis = createRedis(env.redisUrl, 'bench-harness')
  const suffix = randomBytes(4).toString('hex')
  const gatewayPrefix = `bench_${suffix}:`
  let stopped = false

  const stop = async () => {
    if (stopped) return
    stopped = true
    await Promise.all([...children.values()].map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000)
      child.once('exit', () => { clearTimeout(kill); resolve() })
      child.kill('SIGTERM')
    })))
    // Every session the user service opened (logins included) goes from Redis with the schema.
    const users = databases.get('user')
    if (users) {
      const db = createPostgres<any>({ url: users.url, schema: users.schema, max: 1 })
      try {
        for (const row of await db.selectFrom('sessions').select('id').execute() as Array<{ id: string }>) sessionKeys.add(`session:${row.id}`)
      } catch { /* not migrated yet */ }
      await db.destroy()
    }
    for (const fn of cleanups.reverse()) {
      try { await fn() } catch (error) { console.error('bench cleanup:', (error as Error).message) }
    }
    const keys = await redis.keys(`${gatewayPrefix}*`)
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500))
    const sessions = [...sessionKeys]
    for (let i = 0; i < sessions.length; i += 500) await redis.del(...sessions.slice(i, i + 500))
    redis.disconnect()
  }
  const onSignal = () => { void stop().finally(() => process.exit(130)) }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  cleanups.push(() => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal) })

  try {
    const vhost = `lms_bench_${suffix}`
    const management = managementApi(managementUrl)
    const amqpUser = decodeURIComponent(new URL(env.amqpUrl).username || 'guest')
    await management('PUT', `/vhosts/${vhost}`)
    cleanups.push(() => management('DELETE', `/vhosts/${vhost}`))
    await management('PUT', `/permissions/${vhost}/${encodeURIComponent(amqpUser)}`, { configure: '.*', write: '.*', read: '.*' })
    const amqp = new URL(env.amqpUrl)
    amqp.pathname = `/${vhost}`
    const amqpUrl = amqp.toString()

    const keyDir = mkdtempSync(join(tmpdir(), 'lms-bench-'))
    cleanups.push(() => rmSync(keyDir, { recursive: true, force: true }))
    const signing = generateSigningKey()
    const keyFile = join(keyDir, 'jwt-signing.pem')
    writeFileSync(keyFile, signing.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })

    const ports = Object.fromEntries(await Promise.all([...services, 'gateway' as const].map(async (s) => [s, await freePort()] as const))) as Record<ServiceName | 'gateway', number>
    const urls: Partial<Record<ServiceName, string>> = {}
    const pids: Partial<Record<ServiceName | 'gateway', number>> = {}
    const adminPassword = randomBytes(12).toString('base64url')
    const admin = { email: `admin-${suffix}@bench.test`, password: adminPassword }
    const jwksUrl = `http://127.0.0.1:${ports.user}/.well-known/jwks.json`
    const logLevel = options.logLevel ?? process.env.BENCH_LOG_LEVEL ?? 'warn'
    const baseEnv: Record<string, string> = { ...(process.env as Record<string, string>) }
    delete baseEnv.ZIPKIN_URL
    if (process.env.BENCH_TRACING === '1' && process.env.ZIPKIN_URL) baseEnv.ZIPKIN_URL = process.env.ZIPKIN_URL
    if (options.zipkin) {
      if (!process.env.ZIPKIN_URL) throw new Error('ZIPKIN_URL is not set (source .lms/infra.env)')
      Object.assign(baseEnv, { ZIPKIN_URL: process.env.ZIPKIN_URL, TRACE_SAMPLE_RATIO: '1' })
    }

    const start = (name: ServiceName | 'gateway', dir: string, extra: Record<string, string>) => {
      const child = spawnServer('src/server.ts', { cwd: join(root, dir), env: { ...baseEnv, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] }, options.coresFor?.[name] ?? options.serverCores)
      child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk}`))
      child.once('exit', (code, signal) => { if (!stopped) console.error(`[${name}] exited early (${code ?? signal})`) })
      children.set(name, child)
      pids[name] = child.pid!
    }
    const ready = (name: string, port: number) => waitUntil(`${name} was not ready on :${port}`, async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok)

    for (const service of services) {
      const database = await createTestDatabase({ teardown: (fn) => cleanups.push(fn) }, `bench_${service.slice(0, 4)}`)
      databases.set(service, database)
      const extra: Record<string, string> = {
        HOST: '127.0.0.1', PORT: String(ports[service]), LOG_LEVEL: logLevel, MIGRATE_ON_START: 'true',
        DATABASE_URL: database.url, DATABASE_SCHEMA: database.schema, DATABASE_POOL_MAX: '20',
        REDIS_URL: env.redisUrl, AMQP_URL: amqpUrl, JWKS_URL: jwksUrl, JWT_ISSUER: 'lms-user-service', JWT_AUDIENCE: 'lms',
        SESSION_KEY_PREFIX: 'session:',
      }
      if (service === 'user') {
        Object.assign(extra, {
          JWT_PRIVATE_KEY_FILES: keyFile, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password,
          BCRYPT_COST: '10', REFRESH_TOKEN_TTL_SECONDS: '3600',
        })
      }
      if (service === 'notification') Object.assign(extra, { SMTP_URL: 'smtp://127.0.0.1:9', EMAIL_POLL_MS: '60000' })
      start(service, SERVICE_DIRS[service], { ...extra, ...options.env?.[service] })
      urls[service] = `http://127.0.0.1:${ports[service]}`
      if (service === 'user') await ready('user', ports.user)
    }
    await Promise.all(services.map((s) => ready(s, ports[s])))

    const closedPort = await freePort()
    const upstreams = Object.fromEntries((Object.keys(UPSTREAM_VARS) as ServiceName[]).map((s) => [
      UPSTREAM_VARS[s], `http://127.0.0.1:${services.includes(s) ? ports[s] : closedPort}`,
    ]))
    start('gateway', 'gateway', {
      HOST: '127.0.0.1', PORT: String(ports.gateway), LOG_LEVEL: logLevel, REDIS_URL: env.redisUrl, REDIS_KEY_PREFIX: gatewayPrefix,
      SESSION_KEY_PREFIX: 'session:', JWKS_URL: jwksUrl, JWT_ISSUER: 'lms-user-service', JWT_AUDIENCE: 'lms',
      RATE_LIMIT_MAX: '100000000', RATE_LIMIT_AUTH_MAX: '100000000', ...upstreams, ...options.env?.gateway,
    })
    await ready('gateway', ports.gateway)
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`

    const connection = new AmqpConnection({ url: amqpUrl, name: 'bench-harness' })
    await connection.start()
    const publisher = new EventPublisher({ connection, service: 'bench' })
    cleanups.push(async () => { await publisher.close(); await connection.close() })
    const publish: Stack['publish'] = async (type, data, source) => publisher.publish(createEvent(type, data, { source }) as never)

    // The user service's kid is the key's RFC 7638 thumbprint; read it from its JWKS.
    const jwks = await (await fetch(jwksUrl)).json() as { keys: Array<{ kid: string }> }
    const serviceKey: TestSigningKey = { ...signing, kid: jwks.keys[0]!.kid }

    const asUser = (body: { user: { id: string; email: string; role: string }; accessToken: string }, password: string): BenchUser => {
      const claims = decodeClaims(body.accessToken)
      sessionKeys.add(`session:${claims.sid}`)
      return {
        id: body.user.id, email: body.user.email, password, role: body.user.role, accessToken: body.accessToken,
        authorization: `Bearer ${body.accessToken}`, sid: claims.sid,
      }
    }
    const post = async (path: string, body: unknown, expected: number) => {
      const res = await fetch(`${gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      if (res.status !== expected) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`)
      return res.json() as Promise<{ user: { id: string; email: string; role: string }; accessToken: string }>
    }
    const adminUser = asUser(await post('/api/v1/auth/login', admin, 200), admin.password)

    const stack: Stack = {
      gatewayUrl, urls, pids, admin: adminUser,
      async gcPauses() {
        const origins: Array<[string, string]> = [['gateway', gatewayUrl], ...Object.entries(urls) as Array<[string, string]>]
        return Object.fromEntries(await Promise.all(origins.map(async ([name, origin]) => [name, await gcPauses(origin)] as const)))
      },
      async registerUsers(count, concurrency = 8) {
        const users: BenchUser[] = []
        let next = 0
        await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
          while (next < count) {
            const i = next++
            const email = `student-${suffix}-${i}@bench.test`
            const password = `bench-${randomBytes(8).toString('hex')}`
            users[i] = asUser(await post('/api/v1/auth/register', { email, password, fullName: `Bench Student ${i}` }, 201), password)
          }
        }))
        return users
      },
      async mintUsers(count) {
        const users: BenchUser[] = []
        for (let i = 0; i < count; i++) {
          const id = uuidv7()
          const sid = randomUUID()
          const email = `minted-${suffix}-${i}@bench.test`
          const accessToken = signTestToken(serviceKey, { sub: id, role: 'student', sid }, { expiresInSeconds: 3600 })
          users.push({ id, email, password: '', role: 'student', accessToken, authorization: `Bearer ${accessToken}`, sid })
          sessionKeys.add(`session:${sid}`)
        }
        for (let i = 0; i < users.length; i += 500) {
          const batch = redis.multi()
          for (const u of users.slice(i, i + 500)) batch.set(`session:${u.sid}`, u.id, 'EX', 3600)
          await batch.exec()
        }
        for (const u of users) {
          await publish('user.registered', { userId: u.id, email: u.email, fullName: 'Bench Student', role: 'student' }, 'user')
        }
        return users
      },
      publish,
      async publishCourse(overrides = {}) {
        const { lessons = 4, ...rest } = overrides
        const lessonIds = Array.from({ length: lessons }, () => uuidv7())
        const data = {
          courseId: uuidv7(), version: 1, title: 'Bench course', instructorId: uuidv7(), capacity: null, status: 'published' as const,
          modules: [{ id: uuidv7(), lessons: lessonIds.map((id) => ({ id, prerequisiteLessonIds: [] })) }],
          requiredAssessmentIds: [], ...rest,
        } as EventData<'course.published'>
        await publish('course.published', data, 'course')
        return { ...data, lessonIds }
      },
      database(service) {
        const database = databases.get(service)
        if (!database) throw new Error(`${service} is not part of this stack`)
        const db = createPostgres<any>({ url: database.url, schema: database.schema, max: 2 })
        cleanups.push(() => db.destroy())
        return db
      },
      stop,
    }
    return stack
  } catch (error) {
    await stop()
    throw error
  }
}
