import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { EnrollmentRow, EnrollmentStatus, LessonProgressRow, LessonStatus } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertEnrollment(db: Db, e: { id: string; userId: string; courseId: string }) {
  return db.insertInto('enrollments').values({ ...e, status: 'active' }).returningAll().executeTakeFirstOrThrow()
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

/**
 * Locks the enrollment (progress updates and completion of one enrollment serialise here) and reads, in
 * the same round trip, what a progress update needs of its course from the read model (null when unknown).
 */
export async function findEnrollmentForProgress(db: Transaction<Database>, id: string) {
  return db.selectFrom('enrollments as e').leftJoin('courses as c', 'c.id', 'e.courseId')
    .selectAll('e').select(['c.title as courseTitle', 'c.outline as courseOutline'])
    .where('e.id', '=', id).forUpdate('e').executeTakeFirst()
}

/**
 * One statement under the enrollment row lock (taken before, so its snapshot sees every earlier update):
 * upserts the lesson's progress and sets the enrollment's percentage to `percentages[n]`, n being how many
 * lessons of `lessonIds` are completed afterwards. Answers the lesson rows as they were before (oldest
 * access first), the saved one, n and the percentage.
 */
export async function recordLessonProgress(db: Transaction<Database>, p: {
  enrollmentId: string; lessonId: string; status: LessonStatus; completionPercentage: number; completedAt: Date | null
  lessonIds: string[]; percentages: number[]
}) {
  const now = new Date()
  const { rows: [row] } = await sql<LessonProgressRow & { before: Array<Record<keyof LessonProgressRow, string>>; completedLessons: number; progressPercentage: number }>`
    with before as (
      select lesson_id, status, completion_percentage, last_accessed_at, completed_at from lesson_progress where enrollment_id = ${p.enrollmentId}
    ), saved as (
      insert into lesson_progress as lp (enrollment_id, lesson_id, status, completion_percentage, last_accessed_at, completed_at)
      values (${p.enrollmentId}, ${p.lessonId}, ${p.status}, ${p.completionPercentage}, ${now}, ${p.completedAt})
      on conflict (enrollment_id, lesson_id) do update set
        status = excluded.status, completion_percentage = excluded.completion_percentage, last_accessed_at = excluded.last_accessed_at,
        -- The first completion time is kept when a completed lesson is visited again.
        completed_at = case when excluded.completed_at is null then null else coalesce(lp.completed_at, excluded.completed_at) end
      returning lesson_id, status, completion_percentage, last_accessed_at, completed_at
    ), done as (
      select count(*)::int as n from (
        select lesson_id from before where status = 'completed' and lesson_id <> ${p.lessonId}
        union all select lesson_id from saved where status = 'completed'
      ) completed where lesson_id = any(${p.lessonIds}::uuid[])
    ), progressed as (
      update enrollments set progress_percentage = (${p.percentages}::float8[])[1 + done.n], updated_at = ${now}
      from done where id = ${p.enrollmentId}
      returning done.n as completed_lessons, progress_percentage
    )
    select saved.*, progressed.*, (select coalesce(json_agg(before order by last_accessed_at), '[]') from before) as before
    from saved, progressed`.execute(db)
  const { before, completedLessons, progressPercentage, ...saved } = row!
  return {
    before: before.map(toLessonProgressRow),
    saved: saved as LessonProgressRow,
    completedLessons,
    progressPercentage,
  }
}

/** A lesson_progress row as json_agg renders it: timestamps are strings there. */
function toLessonProgressRow(json: Record<keyof LessonProgressRow, string>): LessonProgressRow {
  return {
    ...json as unknown as LessonProgressRow,
    lastAccessedAt: new Date(json.lastAccessedAt),
    completedAt: json.completedAt === null ? null : new Date(json.completedAt),
  }
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
