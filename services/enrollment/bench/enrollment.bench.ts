// Enrollment service benchmark, in process on loopback (the load generator shares the CPU):
// 200 concurrent enrollments into a course of capacity 50, enroll writes, and progress writes
// at 50 connections. Stops by itself and drops its schema.
// Run: node --import tsx --conditions=@lms/source services/enrollment/bench/enrollment.bench.ts
import autocannon from 'autocannon'
import { uuidv7 } from 'uuidv7'
import { createEvent } from '@lms/events'
import { createPostgres, migrateToLatest } from '@lms/kit'
import { createTestDatabase, generateSigningKey, signTestToken } from '@lms/kit/testing'
import { buildApp } from '../src/app.js'
import type { Database } from '../src/database.js'
import { migrations } from '../src/migrations/index.js'

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = 50

function snapshot(capacity: number | null, lessons: string[]) {
  return {
    courseId: uuidv7(), version: 1, title: 'Bench course', instructorId: uuidv7(), capacity, status: 'published' as const,
    modules: [{ id: uuidv7(), lessons: lessons.map((id) => ({ id, prerequisiteLessonIds: [] })) }], requiredAssessmentIds: [],
  }
}

async function main() {
  const teardowns: Array<() => unknown> = []
  const database = await createTestDatabase({ teardown: (fn) => teardowns.push(fn) }, 'bench_enr')
  const db = createPostgres<Database>({ url: database.url, schema: database.schema, max: 20 })
  await migrateToLatest(db, { schema: database.schema, migrations })
  const key = generateSigningKey()
  const app = await buildApp({ config: { LOG_LEVEL: 'warn' }, db, auth: { jwks: { keys: { keys: [key.publicJwk] } }, issuer: 'lms-user-service', audience: 'lms' } })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const publish = (data: ReturnType<typeof snapshot>) => app.eventHandlers['course.published']![1]!(createEvent('course.published', data, { source: 'course' }) as never, {} as never)
  const bearer = () => `Bearer ${signTestToken(key, { sub: uuidv7(), role: 'student', sid: uuidv7() })}`
  try {
    const small = snapshot(50, [uuidv7()])
    await publish(small)
    const statuses = await Promise.all(Array.from({ length: 200 }, () => bearer()).map((authorization) =>
      fetch(`${address}/api/v1/enrollments`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ courseId: small.courseId }) })
        .then((r) => r.status)))
    console.log(`200 concurrent enrollments, capacity 50: ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 409).length} × 409`)

    const open = snapshot(null, Array.from({ length: 20 }, () => uuidv7()))
    await publish(open)
    const tokens = Array.from({ length: 6000 }, () => bearer())
    let n = 0
    const enrollBody = JSON.stringify({ courseId: open.courseId })
    const enrollResult = await autocannon({
      url: address, connections: CONNECTIONS, duration: DURATION_S,
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, path: '/api/v1/enrollments', body: enrollBody, headers: { 'content-type': 'application/json', authorization: tokens[n++ % tokens.length]! } }) }],
    })
    console.log(`POST /enrollments            ${enrollResult.requests.average.toFixed(0).padStart(6)} req/s  p50 ${enrollResult.latency.p50} ms  p99 ${enrollResult.latency.p99} ms  non2xx ${enrollResult.non2xx} (tokens reused after ${tokens.length} → 409)`)

    const learners = await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      const authorization = bearer()
      const r = await fetch(`${address}/api/v1/enrollments`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ courseId: open.courseId }) })
      return { authorization, id: ((await r.json()) as { id: string }).id }
    }))
    let m = 0
    const progressResult = await autocannon({
      url: address, connections: CONNECTIONS, duration: DURATION_S,
      requests: [{
        method: 'PUT',
        setupRequest: (req) => {
          const i = m++
          const learner = learners[i % learners.length]!
          const lessonId = open.modules[0]!.lessons[Math.floor(i / learners.length) % 20]!.id
          return { ...req, path: `/api/v1/enrollments/${learner.id}/progress`, headers: { 'content-type': 'application/json', authorization: learner.authorization }, body: JSON.stringify({ lessonId, status: 'in_progress', completionPercentage: i % 100 }) }
        },
      }],
    })
    console.log(`PUT /enrollments/{id}/progress ${progressResult.requests.average.toFixed(0).padStart(6)} req/s  p50 ${progressResult.latency.p50} ms  p99 ${progressResult.latency.p99} ms  non2xx ${progressResult.non2xx}`)
  } finally {
    await app.close()
    await db.destroy()
    for (const fn of teardowns) await fn()
  }
}

await main()
