// The benchmark's generated catalog: published courses with a three-module outline, written with
// bulk inserts straight into MongoDB together with their search index documents (no HTTP calls).
import type { Db } from 'mongodb'
import { uuidv7 } from 'uuidv7'
import { INDEXED, packEntries, POSTINGS, searchIndexDocs, unpackEntries } from '../src/search/index-store.js'
import { searchFieldsOf } from '../src/search/tokens.js'

const TOPICS = ['python', 'rust', 'typescript', 'data', 'cloud', 'kubernetes', 'design', 'marketing', 'finance', 'photography', 'music', 'cuisine', 'écriture', 'statistics', 'security', 'networking', 'biology', 'history', 'español', 'leadership']
const ADJ = ['Intro to', 'Advanced', 'Practical', 'Modern', 'Applied', 'Essential', 'Hands-on', 'Complete', 'Crash course in', 'Mastering']
const WORDS = ['pipelines', 'patterns', 'systems', 'projects', 'workflows', 'foundations', 'analysis', 'testing', 'performance', 'architecture', 'visualisation', 'automation']
const pick = <T>(a: T[], i: number) => a[i % a.length]!

/** Queries of one to two words, whole words and prefixes, some with diacritics folded. */
export const QUERIES = ['python', 'kube', 'data pipelines', 'advanced rust', 'ecriture', 'espanol', 'modern design', 'statist', 'cloud security', 'music patterns']

function course(i: number, count: number, instructorId: string, codePrefix: string) {
  const topic = pick(TOPICS, i * 7)
  const title = `${pick(ADJ, i)} ${topic} ${pick(WORDS, i * 3)} ${i}`
  const modules = Array.from({ length: 3 }, (_, m) => ({
    id: uuidv7(), title: `Module ${m + 1}: ${pick(WORDS, i + m)}`, durationMinutes: 30,
    lessons: Array.from({ length: 3 }, (_, l) => ({
      id: uuidv7(), title: `${pick(WORDS, i + m + l)} in ${topic}`, lessonType: 'text', content: `<p>Lesson ${l}</p>`, videoUrl: null,
      contentId: null, assessmentId: null, durationMinutes: 10, prerequisiteLessonIds: [],
    })),
  }))
  const tags = [...new Set([topic, pick(TOPICS, i * 11)])]
  const description = `Learn ${topic} ${pick(WORDS, i)} with ${pick(WORDS, i + 5)} and real ${pick(WORDS, i + 7)}.`
  const now = new Date(Date.now() - (count - i) * 1000)
  const code = `${codePrefix}${i}`.toUpperCase()
  return {
    _id: uuidv7(), title, titleKey: title.toLowerCase(), code, codeKey: code, description,
    categoryId: null, tags, difficultyLevel: pick(['beginner', 'intermediate', 'advanced'], i), durationHours: 10, price: i % 200,
    capacity: null, language: 'en', instructorId, status: 'published', version: 2, publishedVersion: 1, popularity: i % 97, modules,
    search: searchFieldsOf({ title, description, tags, modules }),
    createdAt: now, updatedAt: now, submittedAt: null, publishedAt: now, archivedAt: null, pendingVersion: null,
  }
}

/**
 * Inserts `count` published courses and their search index (`search_courses`, `search_postings`)
 * in batches of 500; returns the course ids in insertion order.
 */
export async function seedCatalog(db: Db, count: number, codePrefix: string): Promise<string[]> {
  const instructors = Array.from({ length: 50 }, () => uuidv7())
  const ids: string[] = []
  // Postings are merged per key over all batches, then written once: per-batch documents would collide on `_id`.
  const postings = new Map<string, Record<string, number>>()
  for (let i = 0; i < count; i += 500) {
    const batch = Array.from({ length: Math.min(500, count - i) }, (_, k) => course(i + k, count, pick(instructors, i + k), codePrefix))
    ids.push(...batch.map((b) => b._id))
    await db.collection('courses').insertMany(batch as never[])
    const index = searchIndexDocs(batch)
    for (const p of index.postings) postings.set(p._id, Object.assign(postings.get(p._id) ?? {}, unpackEntries(p.p)))
    await db.collection(INDEXED).insertMany(index.indexed as never[])
  }
  const docs = [...postings].map(([_id, p]) => ({ _id, p: packEntries(p) }))
  for (let i = 0; i < docs.length; i += 500) await db.collection(POSTINGS).insertMany(docs.slice(i, i + 500) as never[])
  return ids
}
