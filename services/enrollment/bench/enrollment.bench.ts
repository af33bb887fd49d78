// Enrollment service benchmark (scripts/bench/stack.ts: the real user and enrollment services and the
// gateway on core 1, this load generator on core 0): 200 concurrent enrollments into a course of
// capacity 50 (and the same with the waitlist), enroll writes through the gateway, then progress writes
// at 50 connections: closed loop (saturated) through the gateway and directly to the enrollment
// service, then at fixed offered rates (200 req/s and half the gateway's saturated rate; evenly
// paced, latency from each request's scheduled time) both ways, so the service's own latency reads
// apart from the gateway's, each BENCH_PACED_ROUNDS times (3) with the spread of their p99. It starts
// with the machine's baseline (scripts/bench/wake-baseline.ts); every run prints the enrollment
// service's and the gateway's CPU µs and wakes per request, every fixed-rate run the
// servers' GC pauses and who had the CPU while its p99 requests waited. The user service runs on
// this generator's core: no measured request reaches it. Students are minted (user.registered, a session, a token); courses reach the
// read model as `course.published` events. Stops by itself and drops everything it created.
// Run: node --import tsx --conditions=@lms/source services/enrollment/bench/enrollment.bench.ts
// (BENCH_DURATION_SECONDS per run, 10; BENCH_SERVER_CORES a `taskset -c` list such as 0,1 for the
// servers; BENCH_NODE_OPTIONS becomes the enrollment child's NODE_OPTIONS, e.g. to load a profiler;
// BENCH_RUNTIME=dist and BENCH_NODE_FLAGS as in scripts/bench/README.md.)
import autocannon, { type Request, type Result } from 'autocannon'
import { LOADGEN_CORE, SERVER_CORE, cpuMicros, loadAverage, meterRequests, pacedLoad, pacedRounds, pinLoadGenerator, startStack, waitUntil, watchRun, type BenchUser, type PacedRequest, type Stack } from '../../../scripts/bench/stack.js'
import { wakeBaseline } from '../../../scripts/bench/wake-baseline.js'

const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = 50
const USERS = 200
const OPEN_COURSES = 40
const FIXED_RATE = 200

async function request(stack: Stack, method: string, path: string, user: BenchUser, body?: unknown) {
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    method, headers: { authorization: user.authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: await res.json().catch(() => null) as Record<string, unknown> | null }
}

async function known(stack: Stack, courseId: string) {
  await waitUntil(`course ${courseId} did not reach the enrollment read model`, async () =>
    (await request(stack, 'GET', `/api/v1/enrollments/course/${courseId}/stats`, stack.admin)).status === 200)
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length

/**
 * Waits (10 s at most) until the servers are near idle: requests a run sent but did not see answered
 * (an overloaded fixed-rate run leaves some) would otherwise be served during the next run.
 */
async function settle(pids: number[]) {
  for (let i = 0; i < 20; i++) {
    const before = pids.map(cpuMicros)
    await new Promise((resolve) => setTimeout(resolve, 500))
    if (pids.every((pid, j) => cpuMicros(pid) - before[j]! < 50_000)) return
  }
}

/**
 * One autocannon run of `setupRequest` against `url` (closed loop, or at `rate` req/s offered), printed
 * with the enrollment service's and the gateway's CPU µs and wakes per request (the figures a busy
 * machine distorts least).
 */
async function run(stack: Stack, label: string, url: string, setupRequest: (req: Request) => Request, rate?: number): Promise<Result> {
  const pids = { enrollment: stack.pids.enrollment!, gateway: stack.pids.gateway! }
  await settle(Object.values(pids))
  const watch = rate ? await watchRun(stack) : undefined
  const meter = meterRequests(pids)
  const paced = rate ? await pacedLoad(url, { rate, seconds: DURATION_SECONDS, connections: CONNECTIONS, next: () => setupRequest({} as Request) as PacedRequest }) : undefined
  const notes = paced && await watch?.notes(paced)
  const result = paced ?? await autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS, requests: [{ setupRequest }] })
  console.log(`${label.padEnd(52)} ${result.requests.average.toFixed(0).padStart(5)} req/s  p50 ${String(result.latency.p50).padStart(4)} ms  `
    + `p99 ${String(result.latency.p99).padStart(4)} ms  CPU/request: ${meter.describe(result.requests.total)}  `
    + `(${result.requests.total} of ${result.requests.sent} sent answered, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`)
  for (const note of notes || []) console.log(`${''.padEnd(52)} ${note}`)
  return result
}

async function main() {
  pinLoadGenerator()
  const serverCores = process.env.BENCH_SERVER_CORES
  const profile = process.env.BENCH_NODE_OPTIONS ? { enrollment: { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } } : undefined
  // The user service only minted the students; on the load generator's core its idle GCs stay off the measured one.
  const stack = await startStack({ services: ['enrollment'], coresFor: { user: LOADGEN_CORE }, ...(serverCores ? { serverCores } : {}), ...(profile ? { env: profile } : {}) })
  try {
    const direct = stack.urls.enrollment!
    const users = await stack.mintUsers(USERS)
    console.log(await wakeBaseline())
    console.log(`enrollment bench: ${USERS} students, ${CONNECTIONS} connections, ${DURATION_SECONDS} s per run, servers on core(s) ${serverCores ?? SERVER_CORE}, the user service (no measured request reaches it) on core ${LOADGEN_CORE} with this generator`)

    const small = await stack.publishCourse({ capacity: 50, lessons: 1 })
    const queued = await stack.publishCourse({ capacity: 50, lessons: 1 })
    const open = await Promise.all(Array.from({ length: OPEN_COURSES }, () => stack.publishCourse({ lessons: 20 })))
    const progressCourse = await stack.publishCourse({ lessons: 20 })
    for (const course of [small, queued, ...open, progressCourse]) await known(stack, course.courseId)

    const race = await Promise.all(users.map((u) => request(stack, 'POST', '/api/v1/enrollments', u, { courseId: small.courseId })))
    const raceStatuses = race.map((r) => r.status)
    console.log(`\n${USERS} concurrent enrollments, capacity 50: ${count(raceStatuses, 201)} × 201, ${count(raceStatuses, 409)} × 409${count(raceStatuses, 201) === 50 ? ' (exactly 50 ✓)' : ' (NOT 50 ✗)'}`)
    const withQueue = (await Promise.all(users.map((u) => request(stack, 'POST', '/api/v1/enrollments', u, { courseId: queued.courseId, waitlist: true })))).map((r) => r.status)
    console.log(`${USERS} concurrent enrollments with waitlist, capacity 50: ${count(withQueue, 201)} × 201, ${count(withQueue, 202)} × 202 waitlisted`)

    // What the servers spend with no request at all (timers, the outbox relay, metrics): it weighs on
    // the CPU per request of the slow fixed-rate runs.
    const idle = { enrollment: cpuMicros(stack.pids.enrollment!), gateway: cpuMicros(stack.pids.gateway!) }
    await new Promise((resolve) => setTimeout(resolve, 5000))
    console.log(`\nidle CPU: enrollment ${((cpuMicros(stack.pids.enrollment!) - idle.enrollment) / 5000).toFixed(1)} ms/s, gateway ${((cpuMicros(stack.pids.gateway!) - idle.gateway) / 5000).toFixed(1)} ms/s`)

    // Enroll writes: every (student, open course) pair once; past USERS × OPEN_COURSES requests they repeat (409).
    let n = 0
    console.log('\nclosed loop (saturated):')
    await run(stack, 'POST /enrollments through the gateway', stack.gatewayUrl, (req) => {
      const i = n++
      const user = users[i % USERS]!
      const course = open[Math.floor(i / USERS) % OPEN_COURSES]!
      return { ...req, method: 'POST', path: '/api/v1/enrollments', headers: { 'content-type': 'application/json', authorization: user.authorization }, body: JSON.stringify({ courseId: course.courseId }) }
    })
    if (n > USERS * OPEN_COURSES) console.log(`  (pairs reused after ${USERS * OPEN_COURSES} requests answer 409)`)

    const learners = await Promise.all(users.slice(0, CONNECTIONS).map(async (user) => {
      const res = await request(stack, 'POST', '/api/v1/enrollments', user, { courseId: progressCourse.courseId })
      if (res.status !== 201) throw new Error(`enrolling a learner answered ${res.status}`)
      return { user, id: res.body!.id as string }
    }))
    let m = 0
    const progress = (req: Request): Request => {
      const i = m++
      const learner = learners[i % learners.length]!
      const lessonId = progressCourse.lessonIds[Math.floor(i / learners.length) % progressCourse.lessonIds.length]!
      return {
        ...req, method: 'PUT', path: `/api/v1/enrollments/${learner.id}/progress`,
        headers: { 'content-type': 'application/json', authorization: learner.user.authorization },
        body: JSON.stringify({ lessonId, status: 'in_progress', completionPercentage: i % 100 }),
      }
    }
    const saturated = await run(stack, 'PUT /enrollments/{id}/progress through the gateway', stack.gatewayUrl, progress)
    await run(stack, 'PUT /enrollments/{id}/progress direct to the service', direct, progress)
    const half = Math.max(10, Math.round(saturated.requests.average / 2 / 10) * 10)
    console.log(`\nfixed offered rate (target: p99 ≤ 30 ms through the gateway):`)
    for (const rate of [...new Set([FIXED_RATE, half])].sort((a, b) => a - b)) {
      await pacedRounds(rate, async (side, of) => side === 'gateway'
        ? (await run(stack, `PUT progress through the gateway at ${rate} req/s${of}`, stack.gatewayUrl, progress, rate)).latency.p99
        : (await run(stack, `PUT progress direct to the service at ${rate} req/s${of}`, direct, progress, rate)).latency.p99)
    }
    console.log(`load average: ${loadAverage()}`)
  } finally {
    await stack.stop()
  }
}

await main()
