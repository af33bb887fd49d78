import { createMongoOutboxIndexes } from '@lms/events'
import type { Db } from 'mongodb'
import { CONTENT_BUCKET } from './content/repository.js'
import { CATEGORIES } from './categories/repository.js'
import { COURSES, VERSIONS } from './courses/repository.js'
import { INBOX } from './subscriptions/inbox.js'

/**
 * Creates every index the service relies on; idempotent (run at start and by
 * the Helm hook). Only plain, unique, compound and multikey indexes: the
 * subset MongoDB 7, DocumentDB and FerretDB share.
 *
 * @example
 * await migrate(db)
 */
export async function migrate(db: Db): Promise<void> {
  const courses = db.collection(COURSES)
  await courses.createIndexes([
    { key: { codeKey: 1 }, name: 'code_unique', unique: true },
    { key: { status: 1, _id: -1 }, name: 'status_newest' },
    { key: { status: 1, titleKey: 1, _id: 1 }, name: 'status_title' },
    { key: { status: 1, popularity: -1, _id: -1 }, name: 'status_popularity' },
    { key: { instructorId: 1, _id: -1 }, name: 'instructor_newest' },
    { key: { categoryId: 1, _id: -1 }, name: 'category_newest' },
    { key: { tags: 1, _id: -1 }, name: 'tags_newest' },
    { key: { searchKeys: 1 }, name: 'search_keys' },
  ])
  await createMongoOutboxIndexes(db, [COURSES])
  await db.collection(VERSIONS).createIndex({ courseId: 1, number: -1 }, { name: 'course_number', unique: true })
  await db.collection(CATEGORIES).createIndex({ nameKey: 1 }, { name: 'name_unique', unique: true })
  await db.collection(`${CONTENT_BUCKET}.files`).createIndex({ 'metadata.courseId': 1, uploadDate: -1 }, { name: 'course_uploads' })
  await db.collection(`${CONTENT_BUCKET}.files`).createIndex({ filename: 1, uploadDate: 1 }, { name: 'filename_1_uploadDate_1' })
  await db.collection(`${CONTENT_BUCKET}.chunks`).createIndex({ files_id: 1, n: 1 }, { name: 'files_id_1_n_1', unique: true })
  await db.collection(INBOX).createIndex({ processedAt: 1 }, { name: 'processed_at' })
}
