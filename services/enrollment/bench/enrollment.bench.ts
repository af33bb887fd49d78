// Enrollment service benchmark through the gateway (scripts/bench/stack.ts: the real user and
// enrollment services and the gateway on core 1, this load generator on core 0): 200 concurrent
// enrollments into a course of capacity 50 (and the same with the waitlist), enroll writes and
// progress writes at 50 connections. Courses reach the read model as `course.published` events.
// Stops by itself and drops everything it created. BENCH_SERVER_CORES (a `taskset -c` list, e.g. 0,1)
// lets the servers use other cores than the harness's one.
// Run: node --import tsx --conditions=@lms/source services/enrollment/bench/enrollment.bench.ts
import autocannon, { type Result } from 'autocannon'
import { SERVER_CORE, cpuMicros, loadAverage, pinLoadGenerator, startStack, waitUntil, type BenchUser, type Stack } from '../../../scripts/bench/stack.js'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = 50
const USERS = 200
const OPEN_COURSES = 40

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

/** Server CPU µs per request of the enrollment service and the gateway while `run` goes (the figure a busy machine distorts least). */
async function cpuPerRequest(stack: Stack, run: () => Promise<Result>) {
  const pids = { enrollment: stack.pids.enrollment!, gateway: stack.pids.gateway! }
  const before = { enrollment: cpuMicros(pids.enrollment), gateway: cpuMicros(pids.gateway) }
  const result = await run()
  const requests = result.requests.total
  const per = (name: keyof typeof pids) => ((cpuMicros(pids[name]) - before[name]) / Math.max(requests, 1)).toFixed(0)
  return { result, cpu: `CPU/request: enrollment ${per('enrollment')} µs, gateway ${per('gateway')} µs` }
}

async function main() {
  pinLoadGenerator()
  const serverCores = process.env.BENCH_SERVER_CORES
  const stack = await startStack({ services: ['enrollment'], ...(serverCores ? { serverCores } : {}) })
  try {
    const started = Date.now()
    const users = await stack.registerUsers(USERS)
    console.log(`enrollment bench through the gateway: ${USERS} students registered in ${((Date.now() - started) / 1000).toFixed(1)} s; ${CONNECTIONS} connections, ${DURATION_S}s per run, servers on core(s) ${serverCores ?? SERVER_CORE}`)

    const small = await stack.publishCourse({ capacity: 50, lessons: 1 })
    const queued = await stack.publishCourse({ capacity: 50, lessons: 1 })
    const open = await Promise.all(Array.from({ length: OPEN_COURSES }, () => stack.publishCourse({ lessons: 20 })))
    for (const course of [small, queued, ...open]) await known(stack, course.courseId)

    const race = await Promise.all(users.map((u) => request(stack, 'POST', '/api/v1/enrollments', u, { courseId: small.courseId })))
    const raceStatuses = race.map((r) => r.status)
    console.log(`\n${USERS} concurrent enrollments, capacity 50: ${count(raceStatuses, 201)} × 201, ${count(raceStatuses, 409)} × 409${count(raceStatuses, 201) === 50 ? ' (exactly 50 ✓)' : ' (NOT 50 ✗)'}`)
    const withQueue = (await Promise.all(users.map((u) => request(stack, 'POST', '/api/v1/enrollments', u, { courseId: queued.courseId, waitlist: true })))).map((r) => r.status)
    console.log(`${USERS} concurrent enrollments with waitlist, capacity 50: ${count(withQueue, 201)} × 201, ${count(withQueue, 202)} × 202 waitlisted`)

    // Enroll writes: every (student, open course) pair once; past USERS × OPEN_COURSES requests they repeat (409).
    let n = 0
    const { result: enrollResult, cpu: enrollCpu } = await cpuPerRequest(stack, () => autocannon({
      url: stack.gatewayUrl, connections: CONNECTIONS, duration: DURATION_S,
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const i = n++
          const user = users[i % USERS]!
          const course = open[Math.floor(i / USERS) % OPEN_COURSES]!
          return { ...req, path: '/api/v1/enrollments', headers: { 'content-type': 'application/json', authorization: user.authorization }, body: JSON.stringify({ courseId: course.courseId }) }
        },
      }],
    }))
    console.log(`\nPOST /enrollments               ${enrollResult.requests.average.toFixed(0).padStart(6)} req/s  p50 ${enrollResult.latency.p50} ms  p99 ${enrollResult.latency.p99} ms  non-2xx ${enrollResult.non2xx}${n > USERS * OPEN_COURSES ? ` (pairs reused after ${USERS * OPEN_COURSES} → 409)` : ''}`)
    console.log(`                                ${enrollCpu}`)

    const progressCourse = await stack.publishCourse({ lessons: 20 })
    await known(stack, progressCourse.courseId)
    const learners = await Promise.all(users.slice(0, CONNECTIONS).map(async (user) => {
      const res = await request(stack, 'POST', '/api/v1/enrollments', user, { courseId: progressCourse.courseId })
      if (res.status !== 201) throw new Error(`enrolling a learner answered ${res.status}`)
      return { user, id: res.body!.id as string }
    }))
    let m = 0
    const { result: progressResult, cpu: progressCpu } = await cpuPerRequest(stack, () => autocannon({
      url: stack.gatewayUrl, connections: CONNECTIONS, duration: DURATION_S,
      requests: [{
        method: 'PUT',
        setupRequest: (req) => {
          const i = m++
          const learner = learners[i % learners.length]!
          const lessonId = progressCourse.lessonIds[Math.floor(i / learners.length) % progressCourse.lessonIds.length]!
          return {
            ...req, path: `/api/v1/enrollments/${learner.id}/progress`,
            headers: { 'content-type': 'application/json', authorization: learner.user.authorization },
            body: JSON.stringify({ lessonId, status: 'in_progress', completionPercentage: i % 100 }),
          }
        },
      }],
    }))
    console.log(`PUT /enrollments/{id}/progress  ${progressResult.requests.average.toFixed(0).padStart(6)} req/s  p50 ${progressResult.latency.p50} ms  p99 ${progressResult.latency.p99} ms (target ≤ 30)  non-2xx ${progressResult.non2xx}`)
    console.log(`                                ${progressCpu}`)
    console.log(`load average: ${loadAverage()}`)
  } finally {
    await stack.stop()
  }
}

await main()
