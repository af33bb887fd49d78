import type { Db } from 'mongodb'
import type { SearchFields } from '../courses/table.js'
import { withLock } from '../locks.js'
import { postingsOf } from './tokens.js'

/** `{_id: key, p: "<courseId>:<weight> ..."}`: one posting document per token or prefix. */
export const POSTINGS = 'search_postings'
/** `{_id: courseId, keys: "<key>:<weight> ..."}`: what the postings hold for each course (to diff on change). */
export const INDEXED = 'search_courses'

/**
 * Entries are packed into one string, not stored as an object with a field per
 * course: FerretDB 1.24 takes seconds to read a document with a thousand
 * fields, while a long string costs it next to nothing. Keys and ids never hold
 * `:` or spaces (keys are letters and digits, ids UUIDs).
 */
export interface PostingDoc { _id: string; p: string }
interface IndexedDoc { _id: string; keys: string }

export function packEntries(entries: Record<string, number>): string {
  return Object.entries(entries).map(([k, w]) => `${k}:${w}`).join(' ')
}

export function unpackEntries(packed: string | undefined): Record<string, number> {
  const out: Record<string, number> = {}
  if (!packed) return out
  for (const entry of packed.split(' ')) {
    const at = entry.lastIndexOf(':')
    if (at > 0) out[entry.slice(0, at)] = Number(entry.slice(at + 1))
  }
  return out
}
interface Indexable { _id: string; status: string; search?: SearchFields }

const postings = (db: Db) => db.collection<PostingDoc>(POSTINGS)
const indexed = (db: Db) => db.collection<IndexedDoc>(INDEXED)

/** What the index should hold for a course: its postings when published, nothing otherwise. */
export function wantedKeys(course: Indexable | null): Record<string, number> {
  return course && course.status === 'published' && course.search ? postingsOf(course.search) : {}
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * Brings the index in line with the course as it is now in MongoDB (not as a
 * caller saw it, so two reindexes racing after two commits both end on the
 * latest state). Only keys whose weight changed are written: each key's
 * posting is read, changed and written back under that key's lock (FerretDB
 * 1.x loses concurrent updates of one document, and the entries are one string). The course's
 * entry first records the union of old and new keys, so a crash midway can
 * leave extra keys to remove next time but never an untracked posting.
 */
export async function reindexCourse(db: Db, courseId: string): Promise<void> {
  await withLock(db, `search:${courseId}`, async () => {
    const course = await db.collection<Indexable>('courses').findOne({ _id: courseId }, { projection: { status: 1, search: 1 } })
    const want = wantedKeys(course)
    const have = unpackEntries((await indexed(db).findOne({ _id: courseId }))?.keys)
    const changed = [...new Set([...Object.keys(have), ...Object.keys(want)])].filter((k) => have[k] !== want[k])
    if (changed.length === 0) return
    await indexed(db).updateOne({ _id: courseId }, { $set: { keys: packEntries({ ...have, ...want }) } }, { upsert: true })
    await eachLimited(changed, 16, async (key) => {
      const weight = want[key]
      await withLock(db, `posting:${key}`, async () => {
        const entries = unpackEntries((await postings(db).findOne({ _id: key }))?.p)
        if (weight === undefined) delete entries[courseId]
        else entries[courseId] = weight
        if (Object.keys(entries).length === 0) await postings(db).deleteOne({ _id: key })
        else await postings(db).updateOne({ _id: key }, { $set: { p: packEntries(entries) } }, { upsert: true })
      })
    })
    if (Object.keys(want).length === 0) await indexed(db).deleteOne({ _id: courseId })
    else await indexed(db).updateOne({ _id: courseId }, { $set: { keys: packEntries(want) } })
  })
}

/** The postings of many courses as whole documents (offline builds: rebuild, benchmark seed). */
export function searchIndexDocs(courses: Indexable[]): { postings: PostingDoc[]; indexed: IndexedDoc[] } {
  const byKey = new Map<string, Record<string, number>>()
  const entries: IndexedDoc[] = []
  for (const course of courses) {
    const keys = wantedKeys(course)
    if (Object.keys(keys).length === 0) continue
    entries.push({ _id: course._id, keys: packEntries(keys) })
    for (const [key, weight] of Object.entries(keys)) {
      let p = byKey.get(key)
      if (!p) byKey.set(key, (p = {}))
      p[course._id] = weight
    }
  }
  return { postings: [...byKey].map(([_id, p]) => ({ _id, p: packEntries(p) })), indexed: entries }
}

async function insertInBatches<T extends { _id: string }>(db: Db, name: string, docs: T[]) {
  for (let i = 0; i < docs.length; i += 500) await db.collection<T>(name).insertMany(docs.slice(i, i + 500) as never[], { ordered: false })
}

/**
 * Rebuilds the whole index from the courses (offline: run while no service
 * writes, e.g. the migration before a rollout). `reindexCourse` per course is
 * the online alternative.
 */
export async function rebuildSearchIndex(db: Db): Promise<{ courses: number; keys: number }> {
  const courses = await db.collection<Indexable>('courses').find({ status: 'published' }, { projection: { status: 1, search: 1 } }).toArray()
  const docs = searchIndexDocs(courses)
  await postings(db).deleteMany({})
  await indexed(db).deleteMany({})
  await insertInBatches(db, POSTINGS, docs.postings)
  await insertInBatches(db, INDEXED, docs.indexed)
  return { courses: docs.indexed.length, keys: docs.postings.length }
}

/** The posting documents of `keys` by `_id` equality (the one lookup FerretDB 1.24 answers from an index). */
export async function findPostings(db: Db, keys: string[]): Promise<Map<string, Record<string, number>>> {
  const docs = await Promise.all(keys.map((k) => postings(db).findOne({ _id: k })))
  return new Map(keys.map((k, i) => [k, unpackEntries(docs[i]?.p)]))
}
