import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { CourseOutlineRow } from '../courses/service.js'
import type { EnrollmentRow, EnrollmentStatus, LessonProgressRow, LessonStatus } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertEnrollment(db: Db, e: { id: string; userId: string; courseId: string }) {
  return db.insertInto('enrollments').values({ ...e, status: 'active' }).returningAll().executeTakeFirstOrThrow()
}

/** What `enroll_in_course` (migration 2026120102) answers. */
export type EnrollOutcome =
  | { outcome: 'course_not_available' | 'already_enrolled' | 'course_full' }
  | { outcome: 'course_not_open'; courseStatus: string }
  | {
    outcome: 'enrolled'
    enrollment: Pick<EnrollmentRow, 'id' | 'userId' | 'courseId' | 'status' | 'progressPercentage' | 'enrolledAt' | 'completedAt'>
    course: { title: string; instructorId: string }
    /** The user's waiting entry on this course's waitlist, if any (it is promoted by this enrollment). */
    waitingEntryId: string | null
  }

/**
 * One round trip in the caller's transaction: locks the course, checks that it is published, that the
 * user holds no live enrollment and that a seat is free, and inserts the enrollment. A full course
 * inserts nothing (`course_full`) and stays locked.
 */
export async function enrollInCourse(trx: Transaction<Database>, e: { id: string; userId: string; courseId: string }): Promise<EnrollOutcome> {
  const { rows: [row] } = await sql<{ result: EnrollOutcome }>`select enroll_in_course(${e.id}::uuid, ${e.userId}::uuid, ${e.courseId}::uuid) as result`
    .execute(trx.withoutPlugins())
  const result = row!.result
  if (result.outcome !== 'enrolled') return result
  return { ...result, enrollment: { ...result.enrollment, ...jsonDates(result.enrollment, 'enrolledAt', 'completedAt') } }
}

export async function findLiveEnrollment(db: Db, userId: string, courseId: string) {
  return db.selectFrom('enrollments').selectAll()
    .where('userId', '=', userId).where('courseId', '=', courseId).where('status', '<>', 'dropped').executeTakeFirst()
}

export async function countActive(db: Db, courseId: string) {
  const row = await db.selectFrom('enrollments').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('courseId', '=', courseId).where('status', '=', 'active').executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function findEnrollment(db: Db, id: string): Promise<EnrollmentRow | undefined> {
  return db.selectFrom('enrollments').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Locks the enrollment: progress updates and completion of one enrollment serialise here. */
export async function findEnrollmentForUpdate(db: Transaction<Database>, id: string): Promise<EnrollmentRow | undefined> {
  return db.selectFrom('enrollments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

/** The enrollment fields a progress write answers with. */
export type EnrollmentView = Pick<EnrollmentRow, 'id' | 'userId' | 'courseId' | 'status' | 'progressPercentage' | 'milestonesReached' | 'enrolledAt' | 'completedAt'>
export type LessonProgressView = Omit<LessonProgressRow, 'enrollmentId'>

/** What `record_lesson_progress` (migration 2026120101) answers: a refusal, or the write and the milestones it crossed. */
export type ProgressOutcome =
  | { outcome: 'not_found' | 'dropped' | 'lesson_not_in_course' | 'needs_transaction' }
  | { outcome: 'prerequisites_not_met'; missingLessonIds: string[] }
  | {
    outcome: 'recorded'
    enrollment: EnrollmentView
    /** The lesson rows as they were before the write, oldest access first. */
    before: LessonProgressView[]
    saved: LessonProgressView
    /** Milestones (25, 50, 75, 100) this write reached first, ascending. */
    crossed: Array<25 | 50 | 75 | 100>
    allLessonsCompleted: boolean
    /** Only inside a transaction (what completion needs). */
    course: Pick<CourseOutlineRow, 'title' | 'outline'> | null
  }

/**
 * One round trip: locks the enrollment, checks owner, status, lesson and prerequisites, upserts the
 * lesson's progress and sets the percentage and the milestones reached. Outside a transaction
 * (`inTransaction: false`) it writes nothing when milestones would be crossed or the enrollment
 * completed, and answers `needs_transaction`.
 */
export async function recordLessonProgress(db: Db, p: {
  enrollmentId: string; actorId: string; admin: boolean; lessonId: string; status: LessonStatus
  completionPercentage: number; completedAt: Date | null; now: Date; inTransaction: boolean
}): Promise<ProgressOutcome> {
  // Without the plugins: the answer is one jsonb value, its keys in camelCase already.
  const { rows: [row] } = await sql<{ result: ProgressOutcome }>`select record_lesson_progress(
    ${p.enrollmentId}::uuid, ${p.actorId}::uuid, ${p.admin}::boolean, ${p.lessonId}::uuid, ${p.status}::text,
    ${p.completionPercentage}::float8, ${p.completedAt}::timestamptz, ${p.now}::timestamptz, ${p.inTransaction}::boolean
  ) as result`.execute(db.withoutPlugins())
  const result = row!.result
  if (result.outcome !== 'recorded') return result
  const lesson = (l: LessonProgressView) => ({ ...l, ...jsonDates(l, 'lastAccessedAt', 'completedAt') })
  return {
    ...result,
    enrollment: { ...result.enrollment, ...jsonDates(result.enrollment, 'enrolledAt', 'completedAt') },
    before: result.before.map(lesson),
    saved: lesson(result.saved),
  }
}

/** Timestamps of a row that came as JSON (strings there) as the Dates the row type says. */
function jsonDates<T, K extends keyof T>(row: T, ...keys: K[]): Pick<T, K> {
  const dates = {} as Record<K, Date | null>
  for (const key of keys) {
    const value = row[key] as unknown as string | null
    dates[key] = value === null ? null : new Date(value)
  }
  return dates as Pick<T, K>
}

export async function updateEnrollment(db: Db, id: string, changes: Partial<{
  status: EnrollmentStatus; progressPercentage: number; milestonesReached: number[]; completedAt: Date; droppedAt: Date
}>) {
  return db.updateTable('enrollments').set({ ...changes, updatedAt: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function listEnrollments(db: Db, q: { userId?: string; courseId?: string; limit: number; before?: string }) {
  let query = db.selectFrom('enrollments').selectAll().orderBy('id', 'desc').limit(q.limit + 1)
  if (q.userId) query = query.where('userId', '=', q.userId)
  if (q.courseId) query = query.where('courseId', '=', q.courseId)
  if (q.before) query = query.where('id', '<', q.before)
  return query.execute()
}

export async function listLessonProgress(db: Db, enrollmentId: string) {
  return db.selectFrom('lessonProgress').selectAll().where('enrollmentId', '=', enrollmentId).orderBy('lastAccessedAt').execute()
}

export async function courseStats(db: Db, courseId: string) {
  return db.selectFrom('enrollments')
    .select((eb) => [
      eb.fn.countAll<string>().as('enrolled'),
      sql<string>`count(*) filter (where status = 'active')`.as('active'),
      sql<string>`count(*) filter (where status = 'completed')`.as('completed'),
      sql<string>`count(*) filter (where status = 'dropped')`.as('dropped'),
      sql<number | null>`avg(progress_percentage) filter (where status <> 'dropped')`.as('averageProgress'),
    ])
    .where('courseId', '=', courseId).executeTakeFirstOrThrow()
}

/**
 * Cuts the link between a deleted user and their enrollments: every enrollment (and certificate) gets
 * a fresh random user id, active ones are dropped so the seat frees.
 */
export async function anonymiseEnrollmentsOfUser(db: Db, userId: string) {
  const rows = await db.updateTable('enrollments').set({
    userId: sql`gen_random_uuid()`,
    status: sql`case when status = 'active' then 'dropped' else status end`,
    droppedAt: sql`case when status = 'active' then now() else dropped_at end`,
    anonymisedAt: new Date(),
    updatedAt: new Date(),
  }).where('userId', '=', userId).returning(['id', 'userId']).execute()
  for (const row of rows) {
    await db.updateTable('certificates').set({ userId: row.userId, holderName: null }).where('enrollmentId', '=', row.id).execute()
  }
  return rows.length
}
