// What one lookup costs on a MongoDB-compatible server with the benchmark's 10,000 courses: by
// `_id` in each collection, 20 at once by `_id` and by `$in`, `_id` plus another condition, and the
// public list query. For comparing servers (FerretDB's SQLite and PostgreSQL backends, MongoDB).
// Run: MONGO_URL=mongodb://127.0.0.1:27017 node --import tsx --conditions=@lms/source services/course/bench/lookup-probe.ts
import { randomBytes } from 'node:crypto'
import { MongoClient } from 'mongodb'
import { loadAverage } from '../../../scripts/bench/stack.js'
import { migrate } from '../src/migrate.js'
import { seedCatalog } from './catalog.js'

const COURSES = Number(process.env.PROBE_COURSES ?? 10_000)
const ROUNDS = 3

async function main() {
  const client = new MongoClient(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017', { retryWrites: false })
  await client.connect()
  const suffix = randomBytes(4).toString('hex')
  const db = client.db(`probe_courses_${suffix}`)
  try {
    await migrate(db)
    const started = Date.now()
    const ids = await seedCatalog(db, COURSES, `P${suffix}`)
    console.log(`seeded ${COURSES} courses in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    const courses = db.collection<{ _id: string }>('courses')
    const probes: Array<[string, (round: number) => Promise<unknown>]> = [
      ['courses findOne({_id})', (r) => courses.findOne({ _id: ids[r * 101]! })],
      ['search_postings findOne({_id})', () => db.collection<{ _id: string }>('search_postings').findOne({ _id: 'python' })],
      ['search_courses findOne({_id})', (r) => db.collection<{ _id: string }>('search_courses').findOne({ _id: ids[r * 103]! })],
      ['courses 20 × findOne({_id}) in parallel', (r) => Promise.all(Array.from({ length: 20 }, (_, i) => courses.findOne({ _id: ids[r * 7 + i * 97]! })))],
      ['courses find({_id: {$in: 20 ids}})', (r) => courses.find({ _id: { $in: Array.from({ length: 20 }, (_, i) => ids[r * 11 + i * 89]!) } }).toArray()],
      ['courses findOne({_id, version})', (r) => courses.findOne({ _id: ids[r * 107 + 5000]!, version: 2 } as never)],
      ['courses {status} newest 21 (GET /courses)', () => courses.find({ status: 'published' } as never, { projection: { modules: 0, search: 0 } }).sort({ _id: -1 }).limit(21).toArray()],
      ['courses {status, tags} newest 21', () => courses.find({ status: 'published', tags: 'rust' } as never, { projection: { modules: 0, search: 0 } }).sort({ _id: -1 }).limit(21).toArray()],
    ]
    for (const [name, probe] of probes) {
      const times: number[] = []
      for (let round = 0; round < ROUNDS; round++) {
        const t0 = performance.now()
        await probe(round)
        times.push(performance.now() - t0)
      }
      console.log(`${name.padEnd(44)} ${times.map((t) => `${t.toFixed(0)} ms`.padStart(9)).join(' ')}`)
    }
    console.log(`load average ${loadAverage()}`)
  } finally {
    await db.dropDatabase().catch(() => {})
    await client.close()
  }
}

await main()
