import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { CourseTable } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

/** Applies a course snapshot unless a newer version is already stored. */
export async function upsertCourse(db: Db, course: CourseTable) {
  await db.insertInto('courses').values(course)
    .onConflict((oc) => oc.column('id').doUpdateSet({
      instructorId: (eb) => eb.ref('excluded.instructorId'),
      status: (eb) => eb.ref('excluded.status'),
      version: (eb) => eb.ref('excluded.version'),
    }).where('courses.version', '<=', (eb) => eb.ref('excluded.version')))
    .execute()
}

/**
 * Records a newly created course as a draft at version 0, so any snapshot
 * (course.published/updated, version >= 1) replaces it and it never replaces one.
 */
export async function rememberDraftCourse(db: Db, course: { id: string; instructorId: string }) {
  await db.insertInto('courses').values({ ...course, status: 'draft', version: 0 })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

export async function archiveCourse(db: Db, courseId: string) {
  await db.updateTable('courses').set({ status: 'archived' }).where('id', '=', courseId).execute()
}

export async function findCourse(db: Db, courseId: string) {
  return db.selectFrom('courses').selectAll().where('id', '=', courseId).executeTakeFirst()
}

export async function setEnrollment(db: Db, e: { userId: string; courseId: string; enrollmentId: string; active: boolean }) {
  await db.insertInto('enrollments').values(e)
    .onConflict((oc) => oc.columns(['userId', 'courseId']).doUpdateSet({ active: e.active, enrollmentId: e.enrollmentId }))
    .execute()
}

export async function isEnrolled(db: Db, userId: string, courseId: string) {
  const row = await db.selectFrom('enrollments').select('active')
    .where('userId', '=', userId).where('courseId', '=', courseId).executeTakeFirst()
  return row?.active === true
}

export async function forgetUserEnrollments(db: Db, userId: string) {
  await db.deleteFrom('enrollments').where('userId', '=', userId).execute()
}

/** Attempts stay for statistics, but no longer point at the person. */
export async function anonymiseAttempts(db: Db, userId: string, replacementId: string) {
  await db.updateTable('attempts')
    .set({ userId: replacementId, anonymised: true, answers: sql`(select coalesce(jsonb_agg(a - 'text'), '[]'::jsonb) from jsonb_array_elements(answers) a)` })
    .where('userId', '=', userId).execute()
}
