import { decodeCursor, encodeCursor, kitErrors } from '@lms/kit'
import { createEvent, withPendingEvents } from '@lms/events'
import type { Filter, Sort } from 'mongodb'
import { uuidv7 } from 'uuidv7'
import type { CachedCourse } from '../cache/course-cache.js'
import * as categories from '../categories/service.js'
import { purgeCourseContent } from '../content/service.js'
import { errors } from '../errors.js'
import { LockTimeoutError, withLock } from '../locks.js'
import { eventsForChange } from '../events/course-events.js'
import { reindexCourse } from '../search/index-store.js'
import { searchFieldsOf } from '../search/tokens.js'
import type { Actor, ServiceDeps } from '../service-deps.js'
import * as repo from './repository.js'
import type { CloneCourse, Course, CourseListQuery, CourseSummary, CreateCourse, UpdateCourse } from './schemas.js'
import type { CourseDoc, CourseSnapshot, ModuleDoc } from './table.js'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function toSummary(doc: CourseDoc): CourseSummary {
  return {
    id: doc._id,
    title: doc.title,
    code: doc.code,
    description: doc.description,
    categoryId: doc.categoryId,
    tags: doc.tags,
    difficultyLevel: doc.difficultyLevel,
    durationHours: doc.durationHours,
    price: doc.price,
    capacity: doc.capacity,
    language: doc.language,
    instructorId: doc.instructorId,
    status: doc.status,
    version: doc.version,
    publishedVersion: doc.publishedVersion,
    popularity: doc.popularity,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    submittedAt: iso(doc.submittedAt),
    publishedAt: iso(doc.publishedAt),
    archivedAt: iso(doc.archivedAt),
  }
}

export function toCourse(doc: CourseDoc): Course {
  return { ...toSummary(doc), modules: doc.modules }
}

function entryOf(doc: CourseDoc, json: string): CachedCourse {
  return { version: doc.version, status: doc.status, instructorId: doc.instructorId, json }
}

function snapshotOf(doc: CourseDoc): CourseSnapshot {
  const { _id, codeKey: _c, titleKey: _t, search: _s, pendingVersion: _v, pendingEvents: _p, ...rest } = doc
  return { ...rest, id: _id }
}

/** Whether the caller may read the course: published for everyone, the rest for its instructor and admins. */
export function canRead(actor: Actor, course: { status: string; instructorId: string }): boolean {
  return course.status === 'published' || actor?.role === 'admin' || actor?.id === course.instructorId
}

function canEdit(actor: Actor, course: { instructorId: string }): boolean {
  return actor?.role === 'admin' || (actor?.role === 'instructor' && actor.id === course.instructorId)
}

/** A course's detail entry through the cache (null when absent). */
function courseEntry(deps: ServiceDeps, id: string): Promise<CachedCourse | null> {
  return deps.cache.versioned('course', deps.cache.courseKey(id), async () => {
    const doc = await repo.findCourse(deps.db, id)
    return doc ? entryOf(doc, JSON.stringify(toCourse(doc))) : null
  })
}

/** A course the caller may read, through the cache; 404 when absent or not visible. */
export async function getCourseEntry(deps: ServiceDeps, actor: Actor, id: string): Promise<CachedCourse> {
  const entry = await courseEntry(deps, id)
  if (!entry || !canRead(actor, entry)) throw errors.COURSE_ERR_NOT_FOUND()
  return entry
}

/** The outline (modules and lessons) through its own cache key. */
export async function getOutlineEntry(deps: ServiceDeps, actor: Actor, id: string): Promise<CachedCourse> {
  const entry = await deps.cache.versioned('outline', deps.cache.outlineKey(id), async () => {
    const doc = await repo.findCourse(deps.db, id)
    return doc ? entryOf(doc, JSON.stringify({ courseId: doc._id, version: doc.version, modules: doc.modules })) : null
  })
  if (!entry || !canRead(actor, entry)) throw errors.COURSE_ERR_NOT_FOUND()
  return entry
}

/** The course if the caller may change it: 404 when not visible, 403 when visible but not theirs. */
export async function editableCourse(deps: ServiceDeps, actor: Actor, id: string): Promise<CourseDoc> {
  const doc = await repo.findCourse(deps.db, id)
  if (!doc || !canRead(actor, doc)) throw errors.COURSE_ERR_NOT_FOUND()
  if (!canEdit(actor, doc)) throw errors.COURSE_ERR_NOT_OWNER()
  return doc
}

/** Reads a course straight from MongoDB for the caller; 404 unless visible. */
export async function readCourse(deps: ServiceDeps, actor: Actor, id: string): Promise<CourseDoc> {
  const doc = await repo.findCourse(deps.db, id)
  if (!doc || !canRead(actor, doc)) throw errors.COURSE_ERR_NOT_FOUND()
  return doc
}

async function assertCategory(deps: ServiceDeps, categoryId: string | null | undefined) {
  if (categoryId && !(await categories.exists(deps, categoryId))) throw errors.COURSE_ERR_CATEGORY_UNKNOWN()
}

function withDerived(doc: CourseDoc): CourseDoc {
  const search = searchFieldsOf(doc)
  return { ...doc, codeKey: doc.code.toUpperCase(), titleKey: doc.title.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase(), search }
}

/** After a committed write (outside the lock): reindex, refresh the caches, wake the relay. */
async function afterCommit(deps: ServiceDeps, doc: CourseDoc, hadEvents: boolean) {
  // Before the lists' generation moves, so no search cached after it can miss this change.
  await reindexCourse(deps.db, doc._id).catch((err) => deps.log.error({ err, courseId: doc._id }, 'search index not updated; run migrate --rebuild-search'))
  await Promise.all([
    deps.cache.putVersioned(deps.cache.courseKey(doc._id), entryOf(doc, JSON.stringify(toCourse(doc)))),
    deps.cache.putVersioned(deps.cache.outlineKey(doc._id), entryOf(doc, JSON.stringify({ courseId: doc._id, version: doc.version, modules: doc.modules }))),
    deps.cache.invalidateLists(),
  ])
  if (hadEvents) deps.notifyOutbox()
}

/**
 * Writes `after` over `before` (read under the course's lock, so nobody changed
 * it meanwhile) with its events (outbox) and, when the result is published, a
 * new immutable version — all in one document write; then copies that version
 * into `course_versions`, still under the lock.
 */
async function commit(deps: ServiceDeps, actor: Actor, before: CourseDoc, change: (doc: CourseDoc) => CourseDoc): Promise<{ after: CourseDoc; hadEvents: boolean }> {
  const now = new Date()
  let after = withDerived({ ...change(structuredClone(before)), version: before.version + 1, updatedAt: now })
  if (after.status === 'published') {
    const number = before.publishedVersion + 1
    after = { ...after, publishedVersion: number }
    after.pendingVersion = { number, snapshot: snapshotOf({ ...after, pendingVersion: null }), publishedAt: now, publishedBy: actor?.id ?? after.instructorId }
  }
  const events = eventsForChange(before, after)
  try {
    if (!(await repo.replaceCourseFields(deps.db, after, events))) throw errors.COURSE_ERR_NOT_FOUND()
  } catch (err) {
    if (repo.isDuplicateKey(err)) throw errors.COURSE_ERR_CODE_TAKEN()
    throw err
  }
  if (after.pendingVersion) {
    try {
      await repo.flushPendingVersion(deps.db, after)
      after = { ...after, pendingVersion: null }
    } catch (err) {
      deps.log.warn({ err, courseId: after._id }, 'version copy deferred')
    }
  }
  return { after, hadEvents: events.length > 0 }
}

export interface MutateOptions {
  /** The version from If-Match; a mismatch answers 412. */
  expectedVersion?: number | undefined
  /** Allowed on archived courses (archive itself is idempotent-ish). */
  allowArchived?: boolean
}

/**
 * Loads a course the caller may edit, applies `change` and commits it, all
 * under the course's lock: concurrent writes apply one after the other, each
 * to what the previous one left; with a stale If-Match, 412.
 */
export async function mutateCourse(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  change: (doc: CourseDoc) => CourseDoc,
  opts: MutateOptions = {},
): Promise<CourseDoc> {
  const committed = await courseLocked(deps, id, async () => {
    const before = await repo.findCourse(deps.db, id)
    if (!before || !canRead(actor, before)) throw errors.COURSE_ERR_NOT_FOUND()
    if (!canEdit(actor, before)) throw errors.COURSE_ERR_NOT_OWNER()
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== before.version) throw kitErrors.KIT_ERR_PRECONDITION_FAILED()
    if (before.status === 'archived' && !opts.allowArchived) throw errors.COURSE_ERR_ARCHIVED()
    return commit(deps, actor, before, change)
  })
  await afterCommit(deps, committed.after, committed.hadEvents)
  return committed.after
}

/**
 * Runs a course's read-check-write under its lock document, so the write can
 * filter on `_id` alone with the version checked here. A version guard in the
 * filter (`updateOne({_id, version})`) would be atomic on MongoDB and
 * DocumentDB, but FerretDB 1.x runs an update as a read then a write (ten
 * writers with the same version all "match") and scans the collection for any
 * filter but `_id` equality. 409 when the lock stays busy past its wait.
 */
async function courseLocked<T>(deps: ServiceDeps, id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await withLock(deps.db, `course:${id}`, fn)
  } catch (err) {
    if (err instanceof LockTimeoutError) throw errors.COURSE_ERR_VERSION_CONFLICT()
    throw err
  }
}

export async function createCourse(deps: ServiceDeps, actor: NonNullable<Actor>, input: CreateCourse): Promise<CourseDoc> {
  await assertCategory(deps, input.categoryId)
  const now = new Date()
  const doc = withDerived({
    _id: uuidv7(),
    title: input.title,
    titleKey: '',
    code: input.code,
    codeKey: '',
    description: input.description ?? '',
    categoryId: input.categoryId ?? null,
    tags: [...new Set(input.tags ?? [])],
    difficultyLevel: input.difficultyLevel ?? 'beginner',
    durationHours: input.durationHours ?? 0,
    price: input.price ?? 0,
    capacity: input.capacity ?? null,
    language: input.language ?? 'en',
    instructorId: actor.id,
    status: 'draft',
    version: 1,
    publishedVersion: 0,
    popularity: 0,
    modules: [],
    search: { title: [], tags: [], lessons: [], description: [] },
    createdAt: now,
    updatedAt: now,
    submittedAt: null,
    publishedAt: null,
    archivedAt: null,
    pendingVersion: null,
  })
  // Drafts publish nothing else, but the assessment service must learn the course's instructor
  // before it is published so assessments can be prepared for it.
  const created = createEvent('course.created', { courseId: doc._id, instructorId: doc.instructorId, title: doc.title, status: 'draft' }, { source: 'course' })
  try {
    await repo.insertCourse(deps.db, withPendingEvents(doc, [created]))
  } catch (err) {
    if (repo.isDuplicateKey(err)) throw errors.COURSE_ERR_CODE_TAKEN()
    throw err
  }
  await afterCommit(deps, doc, true)
  return doc
}

export async function updateCourse(deps: ServiceDeps, actor: Actor, id: string, input: UpdateCourse, expectedVersion: number | undefined): Promise<CourseDoc> {
  if (Object.keys(input).length === 0) throw errors.COURSE_ERR_EMPTY_UPDATE()
  if ('categoryId' in input) await assertCategory(deps, input.categoryId)
  return mutateCourse(deps, actor, id, (doc) => ({ ...doc, ...input, ...(input.tags ? { tags: [...new Set(input.tags)] } : {}) }), { expectedVersion })
}

export async function submitCourse(deps: ServiceDeps, actor: Actor, id: string): Promise<CourseDoc> {
  return mutateCourse(deps, actor, id, (doc) => {
    if (doc.status !== 'draft') throw errors.COURSE_ERR_INVALID_TRANSITION(`Only a draft can be submitted for review (it is ${doc.status})`)
    assertHasLessons(doc)
    return { ...doc, status: 'in_review', submittedAt: new Date() }
  })
}

function assertHasLessons(doc: CourseDoc) {
  if (!doc.modules.some((m: ModuleDoc) => m.lessons.length > 0)) throw errors.COURSE_ERR_NO_LESSONS()
}

/**
 * Publishes a draft or a course under review. With review required only an
 * admin publishes; otherwise the instructor may too. Publishing a published
 * course again records a new version.
 */
export async function publishCourse(deps: ServiceDeps, actor: Actor, id: string): Promise<CourseDoc> {
  return mutateCourse(deps, actor, id, (doc) => {
    if (deps.config.COURSE_REVIEW_REQUIRED && actor?.role !== 'admin') {
      throw errors.COURSE_ERR_REVIEW_REQUIRED(doc.status === 'draft' ? 'Submit the course for review; an admin publishes it' : undefined)
    }
    assertHasLessons(doc)
    return { ...doc, status: 'published', publishedAt: new Date() }
  })
}

export async function archiveCourse(deps: ServiceDeps, actor: Actor, id: string): Promise<CourseDoc> {
  return mutateCourse(deps, actor, id, (doc) => {
    if (doc.status === 'archived') throw errors.COURSE_ERR_INVALID_TRANSITION('The course is already archived')
    return { ...doc, status: 'archived', archivedAt: new Date() }
  }, { allowArchived: true })
}

/** DELETE: a draft that was never published disappears; anything else is archived. */
export async function removeCourse(deps: ServiceDeps, actor: Actor, id: string): Promise<'deleted' | 'archived'> {
  const doc = await repo.findCourse(deps.db, id)
  if (!doc || !canRead(actor, doc)) throw errors.COURSE_ERR_NOT_FOUND()
  if (!canEdit(actor, doc)) throw errors.COURSE_ERR_NOT_OWNER()
  if (doc.publishedVersion === 0 && (doc.status === 'draft' || doc.status === 'in_review')) {
    const deleted = await courseLocked(deps, id, async () => {
      const current = await repo.findCourse(deps.db, id)
      return current?.version === doc.version && repo.deleteCourse(deps.db, id)
    })
    if (!deleted) throw errors.COURSE_ERR_VERSION_CONFLICT()
    await deps.cache.forget(id)
    await reindexCourse(deps.db, id)
    await deps.cache.invalidateLists()
    await purgeCourseContent(deps, id)
    return 'deleted'
  }
  if (doc.status === 'archived') return 'archived'
  await archiveCourse(deps, actor, id)
  return 'archived'
}

/** A new draft owned by the caller with the source's fields and outline (fresh ids, prerequisites remapped). */
export async function cloneCourse(deps: ServiceDeps, actor: NonNullable<Actor>, id: string, input: CloneCourse): Promise<CourseDoc> {
  const source = await readCourse(deps, actor, id)
  const ids = new Map<string, string>()
  for (const m of source.modules) for (const l of m.lessons) ids.set(l.id, uuidv7())
  const modules = source.modules.map((m) => ({
    ...m,
    id: uuidv7(),
    lessons: m.lessons.map((l) => ({ ...l, id: ids.get(l.id)!, prerequisiteLessonIds: l.prerequisiteLessonIds.map((p) => ids.get(p)!).filter(Boolean) })),
  }))
  const code = input.code ?? `${source.code.slice(0, 24)}-${uuidv7().slice(-6)}`.toUpperCase()
  const created = await createCourse(deps, actor, {
    title: input.title ?? source.title,
    code,
    description: source.description,
    categoryId: source.categoryId && (await categories.exists(deps, source.categoryId)) ? source.categoryId : null,
    tags: source.tags,
    difficultyLevel: source.difficultyLevel,
    durationHours: source.durationHours,
    price: source.price,
    capacity: source.capacity,
    language: source.language,
  })
  if (modules.length === 0) return created
  return mutateCourse(deps, actor, created._id, (doc) => ({ ...doc, modules }))
}

// Lists

type SortName = CourseListQuery['sort']
const SORTS: Record<SortName, { sort: Sort; key: (d: CourseDoc) => unknown[]; after: (c: unknown[]) => Filter<CourseDoc> }> = {
  newest: { sort: { _id: -1 }, key: (d) => [d._id], after: ([id]) => ({ _id: { $lt: String(id) } }) },
  title: {
    sort: { titleKey: 1, _id: 1 },
    key: (d) => [d.titleKey, d._id],
    after: ([t, id]) => ({ $or: [{ titleKey: { $gt: String(t) } }, { titleKey: String(t), _id: { $gt: String(id) } }] }),
  },
  popularity: {
    sort: { popularity: -1, _id: -1 },
    key: (d) => [d.popularity, d._id],
    after: ([p, id]) => ({ $or: [{ popularity: { $lt: Number(p) } }, { popularity: Number(p), _id: { $lt: String(id) } }] }),
  },
}

function visibility(actor: Actor, status: CourseListQuery['status']): Filter<CourseDoc> {
  if (status === 'published') return { status: 'published' }
  if (actor?.role === 'admin') return status ? { status } : { status: { $ne: 'archived' } }
  if (actor?.role === 'instructor') {
    return status ? { status, instructorId: actor.id } : { $or: [{ status: 'published' }, { instructorId: actor.id, status: { $ne: 'archived' } }] }
  }
  return status ? { status: '__none__' as never } : { status: 'published' }
}

/** The cache scope of a list: who may see the same page. */
export function listScope(actor: Actor): string {
  if (actor?.role === 'admin') return 'admin'
  if (actor?.role === 'instructor') return `instructor:${actor.id}`
  return 'public'
}

export async function listCourses(deps: ServiceDeps, actor: Actor, query: CourseListQuery): Promise<{ items: CourseSummary[]; nextCursor: string | null }> {
  const spec = SORTS[query.sort]
  const and: Filter<CourseDoc>[] = [visibility(actor, query.status)]
  if (query.categoryId) and.push({ categoryId: query.categoryId })
  if (query.tag) and.push({ tags: query.tag })
  if (query.difficultyLevel) and.push({ difficultyLevel: query.difficultyLevel })
  if (query.instructorId) and.push({ instructorId: query.instructorId })
  if (query.language) and.push({ language: query.language })
  if (query.minPrice !== undefined) and.push({ price: { $gte: query.minPrice } })
  if (query.maxPrice !== undefined) and.push({ price: { $lte: query.maxPrice } })
  const cursor = decodeCursor<unknown[]>(query.cursor)
  if (cursor) and.push(spec.after(cursor))
  const rows = await repo.listCourseSummaries(deps.db, and.length === 1 ? and[0]! : { $and: and }, spec.sort, query.limit + 1)
  const more = rows.length > query.limit
  const slice = more ? rows.slice(0, query.limit) : rows
  const last = slice[slice.length - 1]
  return { items: slice.map(toSummary), nextCursor: more && last ? encodeCursor(spec.key(last)) : null }
}

// Versions

/** Finishes a version copy that a crash interrupted (writers copy theirs before releasing the lock). */
async function settlePendingVersion(deps: ServiceDeps, doc: CourseDoc): Promise<void> {
  if (!doc.pendingVersion) return
  await courseLocked(deps, doc._id, async () => {
    const current = await repo.findCourse(deps.db, doc._id)
    if (current?.pendingVersion) await repo.flushPendingVersion(deps.db, current)
  })
}

export async function listVersions(deps: ServiceDeps, actor: Actor, id: string) {
  const doc = await readCourse(deps, actor, id)
  await settlePendingVersion(deps, doc)
  const rows = await repo.listVersions(deps.db, id, doc.publishedVersion)
  return rows.map((v) => ({ number: v.number, publishedAt: v.publishedAt.toISOString(), publishedBy: v.publishedBy, title: v.snapshot.title }))
}

export async function getVersion(deps: ServiceDeps, actor: Actor, id: string, n: number) {
  const doc = await readCourse(deps, actor, id)
  if (n > doc.publishedVersion) throw errors.COURSE_ERR_VERSION_NOT_FOUND()
  await settlePendingVersion(deps, doc)
  const v = await repo.findVersion(deps.db, id, n)
  if (!v) throw errors.COURSE_ERR_VERSION_NOT_FOUND()
  const s = v.snapshot
  const snapshotDoc = { ...s, _id: s.id } as unknown as CourseDoc
  return { number: v.number, publishedAt: v.publishedAt.toISOString(), publishedBy: v.publishedBy, course: toCourse(snapshotDoc) }
}

// user.deleted

/** Reassigns (or archives) every course of a deleted instructor; safe to run twice. */
export async function handleInstructorDeleted(deps: ServiceDeps, userId: string): Promise<number> {
  const system: Actor = { id: deps.config.REASSIGN_TO_ADMIN_ID ?? userId, role: 'admin' }
  let changed = 0
  for (const course of await repo.findCoursesByInstructor(deps.db, userId)) {
    if (deps.config.USER_DELETED_POLICY === 'reassign') {
      await mutateCourse(deps, system, course._id, (doc) => (doc.instructorId === userId ? { ...doc, instructorId: deps.config.REASSIGN_TO_ADMIN_ID! } : doc), { allowArchived: true })
      changed++
    } else if (course.status !== 'archived') {
      await mutateCourse(deps, system, course._id, (doc) => (doc.status === 'archived' ? doc : { ...doc, status: 'archived', archivedAt: new Date() }))
      changed++
    }
  }
  return changed
}

export async function countCoursesUsingCategory(deps: ServiceDeps, categoryId: string): Promise<number> {
  return repo.countCoursesInCategory(deps.db, categoryId)
}

/**
 * Summaries of the published courses among `ids`, from their detail entries in
 * the cache (written through on every change, so their status is current);
 * misses read the course by `_id` alone, one each (FerretDB scans `courses`
 * for every lookup, and decodes all of it for `$in`).
 */
export async function publishedSummariesByIds(deps: ServiceDeps, ids: string[]): Promise<CourseSummary[]> {
  const entries = await Promise.all(ids.map((id) => courseEntry(deps, id)))
  return entries.flatMap((entry) => {
    if (!entry || entry.status !== 'published') return []
    const { modules: _modules, ...summary } = JSON.parse(entry.json) as Course
    return [summary]
  })
}
