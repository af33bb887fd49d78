import { createMongoOutboxIndexes } from '@lms/events'
import type { CreateIndexesOptions, Db, IndexSpecification } from 'mongodb'
import { CATEGORIES } from './categories/repository.js'
import { CONTENT_BUCKET } from './content/repository.js'
import { COURSES, VERSIONS } from './courses/repository.js'
import { INBOX } from './subscriptions/inbox.js'

type IndexSpec = { key: IndexSpecification; name: string } & CreateIndexesOptions

const INDEXES: Record<string, IndexSpec[]> = {
  [COURSES]: [
    { key: { codeKey: 1 }, name: 'code_unique', unique: true },
    { key: { status: 1, _id: -1 }, name: 'status_newest' },
    { key: { status: 1, titleKey: 1, _id: 1 }, name: 'status_title' },
    { key: { status: 1, popularity: -1, _id: -1 }, name: 'status_popularity' },
    { key: { instructorId: 1, _id: -1 }, name: 'instructor_newest' },
    { key: { categoryId: 1, _id: -1 }, name: 'category_newest' },
    { key: { tags: 1, _id: -1 }, name: 'tags_newest' },
    { key: { searchKeys: 1 }, name: 'search_keys' },
  ],
  [VERSIONS]: [{ key: { courseId: 1, number: -1 }, name: 'course_number', unique: true }],
  [CATEGORIES]: [{ key: { nameKey: 1 }, name: 'name_unique', unique: true }],
  [`${CONTENT_BUCKET}.files`]: [
    { key: { 'metadata.courseId': 1, uploadDate: -1 }, name: 'course_uploads' },
    { key: { filename: 1, uploadDate: 1 }, name: 'filename_1_uploadDate_1' },
  ],
  [`${CONTENT_BUCKET}.chunks`]: [{ key: { files_id: 1, n: 1 }, name: 'files_id_1_n_1', unique: true }],
  [INBOX]: [{ key: { processedAt: 1 }, name: 'processed_at' }],
}

async function indexNames(db: Db, collection: string): Promise<Set<string>> {
  try {
    return new Set((await db.collection(collection).listIndexes().toArray()).map((i) => String(i.name)))
  } catch {
    return new Set()
  }
}

/**
 * Creates the indexes the service relies on, skipping those that exist (FerretDB
 * 1.24 drops the connection when createIndexes repeats an existing index on a
 * collection holding data). Only plain, unique, compound and multikey indexes:
 * the subset MongoDB 7, DocumentDB and FerretDB share.
 *
 * @example
 * await migrate(db)
 */
export async function migrate(db: Db): Promise<void> {
  for (const [collection, specs] of Object.entries(INDEXES)) {
    const existing = await indexNames(db, collection)
    for (const { key, name, ...options } of specs) {
      if (!existing.has(name)) await db.collection(collection).createIndex(key, { name, ...options })
    }
  }
  if (!(await indexNames(db, COURSES)).has('outbox_pending')) await createMongoOutboxIndexes(db, [COURSES])
}
