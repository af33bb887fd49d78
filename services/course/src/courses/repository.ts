import { withOutbox, writeWithPendingMark, type AnyEventEnvelope } from '@lms/events'
import type { Db, Filter, Sort } from 'mongodb'
import { isDuplicateKey } from '../mongo-errors.js'

export { isDuplicateKey }
import type { CourseDoc, VersionDoc } from './table.js'

export const COURSES = 'courses'
export const VERSIONS = 'course_versions'

const INTERNAL = { pendingEvents: 0 } as const
const SUMMARY = { ...INTERNAL, modules: 0, search: 0, pendingVersion: 0 } as const


const courses = (db: Db) => db.collection<CourseDoc>(COURSES)
const versions = (db: Db) => db.collection<VersionDoc>(VERSIONS)

export async function findCourse(db: Db, id: string): Promise<CourseDoc | null> {
  return courses(db).findOne({ _id: id }, { projection: INTERNAL }) as Promise<CourseDoc | null>
}

/** Inserts a course; one carrying events gets the outbox relay's marker (`writeWithPendingMark`). */
export async function insertCourse(db: Db, doc: CourseDoc): Promise<void> {
  if (!doc.pendingEvents?.length) return void (await courses(db).insertOne(doc))
  await writeWithPendingMark(db, COURSES, doc._id, () => courses(db).insertOne(doc))
}

/**
 * Replaces the course's fields, pushing the events into the same
 * single-document write (with the relay's marker around it). Filters on `_id` alone (FerretDB scans for anything
 * more): the caller holds the course's lock and has checked the version it
 * read under it. False when the course is gone.
 */
export async function replaceCourseFields(db: Db, doc: CourseDoc, events: AnyEventEnvelope[]): Promise<boolean> {
  const { _id, pendingEvents: _p, ...fields } = doc
  if (events.length === 0) return (await courses(db).updateOne({ _id }, { $set: fields })).matchedCount === 1
  const result = await writeWithPendingMark(db, COURSES, _id, () => courses(db).updateOne({ _id }, withOutbox<CourseDoc>({ $set: fields }, events)))
  return result.matchedCount === 1
}

/** Deletes the course by `_id` alone; the caller holds its lock and has checked its version. */
export async function deleteCourse(db: Db, id: string): Promise<boolean> {
  const result = await courses(db).deleteOne({ _id: id })
  return result.deletedCount === 1
}

export async function listCourseSummaries(db: Db, filter: Filter<CourseDoc>, sort: Sort, limit: number): Promise<CourseDoc[]> {
  return courses(db).find(filter, { projection: SUMMARY }).sort(sort).limit(limit).toArray() as Promise<CourseDoc[]>
}

export async function findCoursesByInstructor(db: Db, instructorId: string): Promise<CourseDoc[]> {
  return courses(db).find({ instructorId }, { projection: INTERNAL }).toArray() as Promise<CourseDoc[]>
}

export async function countCoursesInCategory(db: Db, categoryId: string): Promise<number> {
  return courses(db).countDocuments({ categoryId })
}

/**
 * Copies a pending published state into `course_versions` (idempotent), then
 * clears it from the course by `_id` alone: the caller holds the course's lock
 * and read `course` under it, so the pending state is still the current one.
 */
export async function flushPendingVersion(db: Db, course: Pick<CourseDoc, '_id' | 'pendingVersion'>): Promise<void> {
  const pending = course.pendingVersion
  if (!pending) return
  try {
    await versions(db).insertOne({
      _id: `${course._id}:${pending.number}`,
      courseId: course._id,
      number: pending.number,
      snapshot: pending.snapshot,
      publishedAt: pending.publishedAt,
      publishedBy: pending.publishedBy,
    })
  } catch (err) {
    if (!isDuplicateKey(err)) throw err
  }
  await courses(db).updateOne({ _id: course._id }, { $set: { pendingVersion: null } })
}

export async function listVersions(db: Db, courseId: string, maxNumber: number): Promise<VersionDoc[]> {
  return versions(db)
    .find({ courseId, number: { $lte: maxNumber } })
    .sort({ number: -1 })
    .toArray()
}

export async function findVersion(db: Db, courseId: string, number: number): Promise<VersionDoc | null> {
  return versions(db).findOne({ _id: `${courseId}:${number}` })
}

export async function deleteVersions(db: Db, courseId: string): Promise<void> {
  await versions(db).deleteMany({ courseId })
}
