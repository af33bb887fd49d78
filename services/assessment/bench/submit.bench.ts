// Assessment benchmark (scripts/bench/stack.ts: the real user and assessment services and the gateway
// on core 1, this load generator on core 0): minted students enrolled in one course, a 20-question quiz,
// attempts started beforehand, then every attempt submitted and auto-graded once at 50 connections:
// closed loop (saturated: req/s, p50/p99) through the gateway and directly to the assessment service,
// then at fixed offered rates (100 req/s and half the gateway's saturated rate; evenly paced, latency
// from each request's scheduled time) both ways, so the service's latency reads apart from the
// gateway's, each BENCH_PACED_ROUNDS times (3) with the spread of their p99. It starts with the
// machine's baseline (scripts/bench/wake-baseline.ts); each run prints the assessment service's and
// the gateway's CPU µs and wakes per submit, each fixed-rate run the servers' GC
// pauses and who had the CPU while its p99 submits waited. The user service runs on this
// generator's core: no measured request reaches it. The course and the enrollments
// reach the assessment read model as `course.published` / `enrollment.created` events, as their
// producers send them. Stops by itself and drops everything it created.
// Run: node --import tsx --conditions=@lms/source services/assessment/bench/submit.bench.ts
// (BENCH_SUBMITS per closed-loop run, 1000; BENCH_DURATION_SECONDS per fixed-rate run, 10, so its p99 rests on
// its 10 slowest submits; BENCH_RATES
// replaces the fixed rates, e.g. `50,200`;
// BENCH_NODE_OPTIONS becomes the assessment child's NODE_OPTIONS, e.g. to load a profiler.)
import autocannon from 'autocannon'
import { LOADGEN_CORE, loadAverage, meterRequests, pacedLoad, pacedRounds, pinLoadGenerator, startStack, uuidv7, waitUntil, watchRun, type BenchUser, type Stack } from '../../../scripts/bench/stack.js'
import { wakeBaseline } from '../../../scripts/bench/wake-baseline.js'

const CONNECTIONS = 50
const STUDENTS = 200
const SUBMITS = Number(process.env.BENCH_SUBMITS ?? 1000)
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10)
const QUESTIONS = 20

interface Started { authorization: string; body: string }

async function call(baseUrl: string, method: string, path: string, user: BenchUser, body?: unknown) {
  const res = await fetch(`${baseUrl}${path}`, {
    method, headers: { authorization: user.authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: await res.json().catch(() => null) as any }
}

async function main() {
  pinLoadGenerator()
  const profile = process.env.BENCH_NODE_OPTIONS ? { assessment: { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } } : undefined
  // The user service only minted the students; on the load generator's core its idle GCs stay off the measured one.
  const stack: Stack = await startStack({ services: ['assessment'], coresFor: { user: LOADGEN_CORE }, ...(profile ? { env: profile } : {}) })
  try {
    const direct = stack.urls.assessment!
    const students = await stack.mintUsers(STUDENTS)
    const course = await stack.publishCourse({ instructorId: stack.admin.id, lessons: 1 })
    const questions = Array.from({ length: QUESTIONS }, (_, i) => ({
      questionType: 'single_choice', text: `Question ${i + 1}`, points: 1,
      choices: Array.from({ length: 4 }, (_, c) => ({ text: `Choice ${c + 1}`, isCorrect: c === 0 })),
    }))
    const assessment = await waitUntil('the course did not reach the assessment read model', async () => {
      const res = await call(stack.gatewayUrl, 'POST', '/api/v1/assessments', stack.admin, {
        courseId: course.courseId, title: 'Bench quiz', assessmentType: 'quiz', passingScore: 60, maxAttempts: 100,
        shuffleQuestions: true, shuffleChoices: true, questions,
      })
      return res.status === 201 ? res.body as { id: string } : undefined
    })
    for (const s of students) {
      await stack.publish('enrollment.created', { enrollmentId: uuidv7(), userId: s.id, courseId: course.courseId, instructorId: stack.admin.id, courseTitle: course.title }, 'enrollment')
    }
    await waitUntil('the enrollments did not reach the assessment read model', async () => {
      const last = await call(direct, 'GET', `/api/v1/assessments/${assessment.id}`, students.at(-1)!)
      return last.status === 200
    })
    console.log(await wakeBaseline())
    console.log(`assessment bench: ${STUDENTS} students, ${QUESTIONS}-question quiz, ${CONNECTIONS} connections, the user service (no measured request reaches it) on core ${LOADGEN_CORE} with this generator`)

    // Attempts are started directly on the service (50 at a time, students in turn), each answered with
    // its first offered choice (right or wrong); every submit below uses one of them once.
    let started = 0
    async function startAttempts(count: number): Promise<Started[]> {
      if (started + count > STUDENTS * 100) throw new Error(`more than ${STUDENTS * 100} attempts (maxAttempts 100 per student)`)
      const pool: Started[] = []
      const t0 = Date.now()
      let claimed = 0
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (claimed++ < count) {
          const student = students[started++ % STUDENTS]!
          const res = await call(direct, 'POST', `/api/v1/assessments/${assessment.id}/attempts`, student)
          if (res.status !== 201) throw new Error(`starting an attempt answered ${res.status} ${JSON.stringify(res.body)}`)
          const attempt = res.body as { id: string; questions: Array<{ id: string; choices: Array<{ id: string }> }> }
          pool.push({
            authorization: student.authorization,
            body: JSON.stringify({ attemptId: attempt.id, answers: attempt.questions.map((q) => ({ questionId: q.id, choiceIds: [q.choices[0]!.id] })) }),
          })
        }
      }))
      console.log(`  (${pool.length} attempts started directly, ${(pool.length / ((Date.now() - t0) / 1000)).toFixed(0)} req/s)`)
      return pool
    }

    const pids = { assessment: stack.pids.assessment!, gateway: stack.pids.gateway! }
    async function run(label: string, url: string, opts: { rate?: number }) {
      // A paced run spends its first second (unrecorded) warming up, on attempts of its own.
      const amount = opts.rate ? Math.round(opts.rate * (DURATION_SECONDS + 1)) : SUBMITS
      const pool = await startAttempts(amount)
      let n = 0
      const watch = opts.rate ? await watchRun(stack) : undefined
      const meter = meterRequests(pids)
      const next = () => {
        const attempt = pool[n++ % pool.length]!
        return { method: 'POST', path: `/api/v1/assessments/${assessment.id}/submit`, headers: { 'content-type': 'application/json', authorization: attempt.authorization }, body: attempt.body }
      }
      const paced = opts.rate ? await pacedLoad(url, { rate: opts.rate, seconds: DURATION_SECONDS, connections: CONNECTIONS, next }) : undefined
      const notes = paced && await watch?.notes(paced)
      const result = paced ?? await autocannon({ url, connections: CONNECTIONS, amount, requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...next() }) }] })
      console.log(`POST submit ${label.padEnd(34)} ${result.requests.average.toFixed(0).padStart(5)} req/s  p50 ${String(result.latency.p50).padStart(4)} ms  p99 ${String(result.latency.p99).padStart(4)} ms  `
        + `CPU/submit: ${meter.describe(result.requests.total)}  (${result.requests.total} submits, non-2xx ${result.non2xx}, errors ${result.errors})`)
      for (const note of notes || []) console.log(`${''.padEnd(46)} ${note}`)
      return result
    }

    console.log('\nclosed loop (saturated), target p99 ≤ 50 ms through the gateway:')
    const saturated = await run('through the gateway, closed loop', stack.gatewayUrl, {})
    await run('direct to the service, closed loop', direct, {})
    const half = Math.max(10, Math.round(saturated.requests.average / 2 / 10) * 10)
    console.log(`\nfixed offered rate (${DURATION_SECONDS} s each; evenly paced, latency from each request's scheduled time):`)
    const rates = process.env.BENCH_RATES ? process.env.BENCH_RATES.split(',').map(Number) : [100, half]
    for (const rate of [...new Set(rates)].sort((a, b) => a - b)) {
      await pacedRounds(rate, async (side, of) => side === 'gateway'
        ? (await run(`through the gateway at ${rate} req/s${of}`, stack.gatewayUrl, { rate })).latency.p99
        : (await run(`direct to the service at ${rate} req/s${of}`, direct, { rate })).latency.p99)
    }
    console.log(`load average: ${loadAverage()}`)
  } finally {
    await stack.stop()
  }
}

await main()
