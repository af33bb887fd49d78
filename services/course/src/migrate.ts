import { createMongoOutboxIndexes } from '@lms/events'
import type { CreateIndexesOptions, Db, IndexSpecification } from 'mongodb'
import { CATEGORIES } from './categories/repository.js'
import { CONTENT_BUCKET } from './content/repository.js'
import { COURSES, VERSIONS } from './courses/repository.js'
import { rebuildSearchIndex } from './search/index-store.js'
import { INBOX } from './subscriptions/inbox.js'

const MIGRATIONS = 'migrations'
const SEARCH_INDEX_V1 = 'search-index-v1'

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

export interface MigrateOptions {
  /** Rebuild the search index even if it was built before (offline: no service writing meanwhile). */
  rebuildSearch?: boolean
}

/**
 * Creates the indexes the service relies on, skipping those that exist (FerretDB
 * 1.24 drops the connection when createIndexes repeats an existing index on a
 * collection holding data). Only plain, unique, compound and multikey indexes:
 * the subset MongoDB 7, DocumentDB and FerretDB share. Then builds the search
 * index (`search_postings`) from the courses once — on the first run after the
 * upgrade from `searchKeys`, whose index and field it removes — or again with
 * `rebuildSearch`.
 *
 * @example
 * await migrate(db)
 */
export async function migrate(db: Db, opts: MigrateOptions = {}): Promise<void> {
  for (const [collection, specs] of Object.entries(INDEXES)) {
    const existing = await indexNames(db, collection)
    for (const { key, name, ...options } of specs) {
      if (!existing.has(name)) await db.collection(collection).createIndex(key, { name, ...options })
    }
  }
  const courseIndexes = await indexNames(db, COURSES)
  if (!courseIndexes.has('outbox_pending')) await createMongoOutboxIndexes(db, [COURSES])
  if (courseIndexes.has('search_keys')) await db.collection(COURSES).dropIndex('search_keys')
  const migrations = db.collection<{ _id: string; at: Date; courses?: number; keys?: number }>(MIGRATIONS)
  if (opts.rebuildSearch || !(await migrations.findOne({ _id: SEARCH_INDEX_V1 }))) {
    if (await db.collection(COURSES).findOne({ searchKeys: { $exists: true } }, { projection: { _id: 1 } })) {
      await db.collection(COURSES).updateMany({ searchKeys: { $exists: true } }, { $unset: { searchKeys: '' } })
    }
    const built = await rebuildSearchIndex(db)
    await migrations.updateOne({ _id: SEARCH_INDEX_V1 }, { $set: { at: new Date(), ...built } }, { upsert: true })
  }
}
