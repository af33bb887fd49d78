// Course service benchmark: 10,000 generated courses; GET /api/v1/courses/{id} and a search,
// MongoDB-only (cache off) vs cold and warm Redis cache, straight to the service and through the
// gateway (gateway/src/server.ts, one per course process), on loopback. Stops by itself.
// Run: npx tsx --conditions=@lms/source services/course/bench/course.bench.ts
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { randomBytes } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { generateSigningKey } from '@lms/kit/testing'
import autocannon from 'autocannon'
import { Redis } from 'ioredis'
import { MongoClient } from 'mongodb'
import { uuidv7 } from 'uuidv7'
import { migrate } from '../src/migrate.js'
import { INDEXED, packEntries, POSTINGS, searchIndexDocs, unpackEntries } from '../src/search/index-store.js'
import { searchFieldsOf } from '../src/search/tokens.js'

const COURSES = 10_000
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = 50
const HOT_IDS = 2_000
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const suffix = randomBytes(4).toString('hex')
const dbName = `bench_courses_${suffix}`
const prefix = `bench_course_${suffix}:`

const TOPICS = ['python', 'rust', 'typescript', 'data', 'cloud', 'kubernetes', 'design', 'marketing', 'finance', 'photography', 'music', 'cuisine', 'écriture', 'statistics', 'security', 'networking', 'biology', 'history', 'español', 'leadership']
const ADJ = ['Intro to', 'Advanced', 'Practical', 'Modern', 'Applied', 'Essential', 'Hands-on', 'Complete', 'Crash course in', 'Mastering']
const WORDS = ['pipelines', 'patterns', 'systems', 'projects', 'workflows', 'foundations', 'analysis', 'testing', 'performance', 'architecture', 'visualisation', 'automation']
const pick = <T>(a: T[], i: number) => a[i % a.length]!

function course(i: number, instructorId: string) {
  const topic = pick(TOPICS, i * 7)
  const title = `${pick(ADJ, i)} ${topic} ${pick(WORDS, i * 3)} ${i}`
  const modules = Array.from({ length: 3 }, (_, m) => ({
    id: uuidv7(), title: `Module ${m + 1}: ${pick(WORDS, i + m)}`, durationMinutes: 30,
    lessons: Array.from({ length: 3 }, (_, l) => ({
      id: uuidv7(), title: `${pick(WORDS, i + m + l)} in ${topic}`, lessonType: 'text', content: `<p>Lesson ${l}</p>`, videoUrl: null,
      contentId: null, assessmentId: null, durationMinutes: 10, prerequisiteLessonIds: [],
    })),
  }))
  const tags = [topic, pick(TOPICS, i * 11)]
  const description = `Learn ${topic} ${pick(WORDS, i)} with ${pick(WORDS, i + 5)} and real ${pick(WORDS, i + 7)}.`
  const search = searchFieldsOf({ title, description, tags, modules })
  const now = new Date(Date.now() - (COURSES - i) * 1000)
  return {
    _id: uuidv7(), title, titleKey: title.toLowerCase(), code: `B${suffix}${i}`.toUpperCase(), codeKey: `B${suffix}${i}`.toUpperCase(), description,
    categoryId: null, tags: [...new Set(tags)], difficultyLevel: pick(['beginner', 'intermediate', 'advanced'], i), durationHours: 10, price: i % 200,
    capacity: null, language: 'en', instructorId, status: 'published', version: 2, publishedVersion: 1, popularity: i % 97, modules, search,
    createdAt: now, updatedAt: now, submittedAt: null, publishedAt: now, archivedAt: null, pendingVersion: null,
  }
}

let JWKS_URL = 'http://127.0.0.1:9/jwks'

/** A tiny JWKS endpoint for the gateway's readiness (the benchmark's requests are anonymous). */
async function serveJwks(): Promise<Server> {
  const body = JSON.stringify({ keys: [generateSigningKey().publicJwk] })
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  if (address && typeof address === 'object') JWKS_URL = `http://127.0.0.1:${address.port}/jwks`
  return server
}

function startGateway(port: number, upstreamPort: number): ChildProcess {
  const server = fileURLToPath(new URL('../../../gateway/src/server.ts', import.meta.url))
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=@lms/source', server], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL, REDIS_KEY_PREFIX: `${prefix}gw:`, JWKS_URL, UPSTREAM_COURSE_URL: `http://127.0.0.1:${upstreamPort}`,
      RATE_LIMIT_MAX: '1000000000', LOG_LEVEL: 'warn', ZIPKIN_URL: '', TRACE_SAMPLE_RATIO: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
}

function startServer(port: number, cache: boolean): ChildProcess {
  const server = fileURLToPath(new URL('../src/server.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@lms/source', server], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', MONGO_URL, MONGO_DB: dbName, REDIS_URL, AMQP_URL: 'amqp://unused', EVENTS_ENABLED: 'false',
      JWKS_URL, CACHE_PREFIX: prefix, CACHE_ENABLED: String(cache), LOG_LEVEL: 'warn', ZIPKIN_URL: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  return child
}

async function waitReady(port: number, tries = 300) {
  for (let i = 0; i < tries; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server on ${port} did not become ready`)
}

interface Figures { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number }

async function run(name: string, port: number, paths: string[]): Promise<Figures> {
  let n = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: DURATION_S, timeout: 30,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[n++ % paths.length]! }) }],
  })
  const f = { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx }
  console.log(`${name.padEnd(34)} ${f.rps.toFixed(0).padStart(8)} req/s  p50 ${String(f.p50).padStart(4)} ms  p99 ${String(f.p99).padStart(4)} ms  errors ${f.errors} non2xx ${f.non2xx}`)
  return f
}

async function clearCache(redis: Redis) {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length) await redis.del(...keys)
  } while (cursor !== '0')
}

async function main() {
  const client = new MongoClient(MONGO_URL, { retryWrites: false })
  await client.connect()
  const db = client.db(dbName)
  const redis = new Redis(REDIS_URL)
  const children: ChildProcess[] = []
  const jwks = await serveJwks()
  try {
    await migrate(db)
    const started = Date.now()
    const instructors = Array.from({ length: 50 }, () => uuidv7())
    const ids: string[] = []
    const postings = new Map<string, Record<string, number>>()
    for (let i = 0; i < COURSES; i += 500) {
      const batch = Array.from({ length: Math.min(500, COURSES - i) }, (_, k) => course(i + k, pick(instructors, i + k)))
      ids.push(...batch.map((b) => b._id))
      await db.collection('courses').insertMany(batch as never[])
      const index = searchIndexDocs(batch)
      // Whole posting documents per batch would overwrite each other's keys: merge per key instead.
      for (const p of index.postings) postings.set(p._id, Object.assign(postings.get(p._id) ?? {}, unpackEntries(p.p)))
      await db.collection(INDEXED).insertMany(index.indexed as never[])
    }
    const postingDocs = [...postings].map(([_id, p]) => ({ _id, p: packEntries(p) }))
    for (let i = 0; i < postingDocs.length; i += 500) await db.collection(POSTINGS).insertMany(postingDocs.slice(i, i + 500) as never[])
    console.log(`seeded ${COURSES} courses in ${((Date.now() - started) / 1000).toFixed(1)} s (db ${dbName})`)

    const cachedPort = 18_182
    const mongoPort = 18_183
    // One at a time: FerretDB drops connections when two processes create the same indexes at once.
    children.push(startServer(cachedPort, true))
    await waitReady(cachedPort)
    children.push(startServer(mongoPort, false))
    await waitReady(mongoPort)

    const hot = Array.from({ length: HOT_IDS }, (_, i) => ids[(i * 4999) % ids.length]!)
    const detail = hot.map((id) => `/api/v1/courses/${id}`)
    const queries = ['python', 'kube', 'data pipelines', 'advanced rust', 'ecriture', 'espanol', 'modern design', 'statist', 'cloud security', 'music patterns']
    const search = queries.map((q) => `/api/v1/courses/search?q=${encodeURIComponent(q)}&limit=20`)
    console.log(`\n${CONNECTIONS} connections, ${DURATION_S} s per case, ${HOT_IDS} distinct course ids, ${queries.length} distinct queries, service, then gateway\n`)

    for (const [label, port, path] of [['detail', mongoPort, detail[0]!], ['search', mongoPort, search[0]!]] as const) {
      const t0 = performance.now()
      const res = await fetch(`http://127.0.0.1:${port}${path}`)
      console.log(`single ${label} request, cache off: ${res.status} in ${(performance.now() - t0).toFixed(1)} ms`)
    }
    const cases = async (via: string, cachedAt: number, mongoAt: number) => {
      await clearCache(redis)
      const dMongo = await run(`${via} detail  mongo-only (cache off)`, mongoAt, detail)
      const dCold = await run(`${via} detail  cold cache (starts empty)`, cachedAt, detail)
      const dWarm = await run(`${via} detail  warm cache`, cachedAt, detail)
      const sMongo = await run(`${via} search  mongo-only (cache off)`, mongoAt, search)
      await clearCache(redis)
      const sCold = await run(`${via} search  cold cache (starts empty)`, cachedAt, search)
      const sWarm = await run(`${via} search  warm cache`, cachedAt, search)
      return { via, dMongo, dCold, dWarm, sMongo, sCold, sWarm }
    }
    const results = [await cases('service', cachedPort, mongoPort)]
    const gwCached = 18_184
    const gwMongo = 18_185
    try {
      children.push(startGateway(gwCached, cachedPort))
      await waitReady(gwCached, 600)
      children.push(startGateway(gwMongo, mongoPort))
      await waitReady(gwMongo, 600)
      console.log('')
      results.push(await cases('gateway', gwCached, gwMongo))
    } catch (err) {
      console.log(`gateway cases skipped: ${(err as Error).message}`)
    }

    console.log('\nratios')
    for (const r of results) {
      console.log(`${r.via} detail warm / mongo-only   ${(r.dWarm.rps / r.dMongo.rps).toFixed(1)}x  (target >= 5x)`)
      console.log(`${r.via} detail cold / mongo-only   ${(r.dCold.rps / r.dMongo.rps).toFixed(1)}x`)
      console.log(`${r.via} search warm / mongo-only   ${(r.sWarm.rps / r.sMongo.rps).toFixed(1)}x`)
      console.log(`${r.via} search p99: mongo-only ${r.sMongo.p99} ms, cold ${r.sCold.p99} ms, warm ${r.sWarm.p99} ms (target <= 50 ms at ${CONNECTIONS} connections)`)
    }
    console.log(`load average ${loadavg().map((n) => n.toFixed(2)).join(' ')} on ${cpus().length} CPUs`)
  } finally {
    for (const child of children) child.kill('SIGTERM')
    await clearCache(redis).catch(() => {})
    await db.dropDatabase().catch(() => {})
    await client.close()
    redis.disconnect()
    jwks.close()
  }
}

await main()
