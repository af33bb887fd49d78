import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { EnrollmentRow, EnrollmentStatus, LessonStatus } from './table.js'

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

export async function upsertLessonProgress(db: Db, p: {
  enrollmentId: string; lessonId: string; status: LessonStatus; completionPercentage: number; completedAt: Date | null
}) {
  const now = new Date()
  return db.insertInto('lessonProgress').values({ ...p, lastAccessedAt: now })
    .onConflict((oc) => oc.columns(['enrollmentId', 'lessonId']).doUpdateSet({
      status: p.status,
      completionPercentage: p.completionPercentage,
      lastAccessedAt: now,
      // The first completion time is kept when a completed lesson is visited again.
      completedAt: p.completedAt ? sql<Date>`coalesce(lesson_progress.completed_at, ${p.completedAt})` : null,
    }))
    .returningAll().executeTakeFirstOrThrow()
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
