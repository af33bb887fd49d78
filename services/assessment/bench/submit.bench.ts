// Assessment benchmark through the gateway (scripts/bench/stack.ts: the real user and assessment
// services and the gateway on core 1, this load generator on core 0): 50 registered students,
// a 20-question quiz, a pool of started attempts, then every attempt submitted and auto-graded
// once at 50 connections (req/s, p50/p99, CPU µs per submit of the assessment service and the
// gateway). The course and the enrollments reach the assessment read model as `course.published` /
// `enrollment.created` events, as their producers send them. Stops by itself and drops everything it created.
// Run: node --import tsx --conditions=@lms/source services/assessment/bench/submit.bench.ts
// (BENCH_NODE_OPTIONS becomes the assessment child's NODE_OPTIONS, e.g. to load a profiler.)
import autocannon from 'autocannon'
import { cpuMicros, loadAverage, pinLoadGenerator, startStack, uuidv7, waitUntil, type BenchUser, type Stack } from '../../../scripts/bench/stack.js'

const CONNECTIONS = 50
const STUDENTS = 50
const ATTEMPTS_PER_STUDENT = Number(process.env.BENCH_ATTEMPTS_PER_STUDENT ?? 20)
const QUESTIONS = 20

async function call(stack: Stack, method: string, path: string, user: BenchUser, body?: unknown) {
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    method, headers: { authorization: user.authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, body: await res.json().catch(() => null) as any }
}

async function main() {
  pinLoadGenerator()
  const profile = process.env.BENCH_NODE_OPTIONS ? { assessment: { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } } : undefined
  const stack = await startStack({ services: ['assessment'], ...(profile ? { env: profile } : {}) })
  try {
    const students = await stack.registerUsers(STUDENTS)
    const course = await stack.publishCourse({ instructorId: stack.admin.id, lessons: 1 })
    const questions = Array.from({ length: QUESTIONS }, (_, i) => ({
      questionType: 'single_choice', text: `Question ${i + 1}`, points: 1,
      choices: Array.from({ length: 4 }, (_, c) => ({ text: `Choice ${c + 1}`, isCorrect: c === 0 })),
    }))
    const assessment = await waitUntil('the course did not reach the assessment read model', async () => {
      const res = await call(stack, 'POST', '/api/v1/assessments', stack.admin, {
        courseId: course.courseId, title: 'Bench quiz', assessmentType: 'quiz', passingScore: 60, maxAttempts: 100,
        shuffleQuestions: true, shuffleChoices: true, questions,
      })
      return res.status === 201 ? res.body as { id: string } : undefined
    })
    for (const s of students) {
      await stack.publish('enrollment.created', { enrollmentId: uuidv7(), userId: s.id, courseId: course.courseId, instructorId: stack.admin.id, courseTitle: course.title }, 'enrollment')
    }
    await waitUntil('the enrollments did not reach the assessment read model', async () => {
      const last = await call(stack, 'GET', `/api/v1/assessments/${assessment.id}`, students.at(-1)!)
      return last.status === 200
    })

    // A pool of started attempts, each answered with the first offered choice (right or wrong).
    const pool: Array<{ authorization: string; body: string }> = []
    const startedAt = Date.now()
    await Promise.all(students.map(async (student) => {
      for (let i = 0; i < ATTEMPTS_PER_STUDENT; i++) {
        const res = await call(stack, 'POST', `/api/v1/assessments/${assessment.id}/attempts`, student)
        if (res.status !== 201) throw new Error(`starting an attempt answered ${res.status} ${JSON.stringify(res.body)}`)
        const attempt = res.body as { id: string; questions: Array<{ id: string; choices: Array<{ id: string }> }> }
        pool.push({
          authorization: student.authorization,
          body: JSON.stringify({ attemptId: attempt.id, answers: attempt.questions.map((q) => ({ questionId: q.id, choiceIds: [q.choices[0]!.id] })) }),
        })
      }
    }))
    const startSeconds = (Date.now() - startedAt) / 1000
    console.log(`assessment bench through the gateway: ${STUDENTS} students, ${QUESTIONS}-question quiz, ${CONNECTIONS} connections`)
    console.log(`\nPOST /assessments/{id}/attempts  ${(pool.length / startSeconds).toFixed(0).padStart(6)} req/s  (${pool.length} attempts started by ${STUDENTS} concurrent students, unpaced)`)

    let n = 0
    const pids = { assessment: stack.pids.assessment!, gateway: stack.pids.gateway! }
    const cpuBefore = { assessment: cpuMicros(pids.assessment), gateway: cpuMicros(pids.gateway) }
    const result = await autocannon({
      url: stack.gatewayUrl, connections: CONNECTIONS, amount: pool.length,
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const attempt = pool[n++ % pool.length]!
          return { ...req, path: `/api/v1/assessments/${assessment.id}/submit`, headers: { 'content-type': 'application/json', authorization: attempt.authorization }, body: attempt.body }
        },
      }],
    })
    console.log(`POST /assessments/{id}/submit    ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms (target ≤ 50)  ${result.requests.total} submits, non-2xx ${result.non2xx}`)
    const perSubmit = (name: keyof typeof pids) => ((cpuMicros(pids[name]) - cpuBefore[name]) / Math.max(result.requests.total, 1)).toFixed(0)
    console.log(`CPU per submit: assessment ${perSubmit('assessment')} µs, gateway ${perSubmit('gateway')} µs`)
    console.log(`load average: ${loadAverage()}`)
  } finally {
    await stack.stop()
  }
}

await main()
