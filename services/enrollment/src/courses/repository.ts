import { type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { CourseOutline, CourseStatus } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

export interface CourseSnapshot {
  id: string
  status: CourseStatus
  title: string
  instructorId: string
  capacity: number | null
  version: number
  outline: CourseOutline
}

/** Inserts or replaces the course unless the stored copy is at the same or a newer version. */
export async function upsertCourse(db: Db, course: CourseSnapshot) {
  return db.insertInto('courses')
    .values({ ...course, outline: JSON.stringify(course.outline) })
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
      status: eb.ref('excluded.status'),
      title: eb.ref('excluded.title'),
      instructorId: eb.ref('excluded.instructorId'),
      capacity: eb.ref('excluded.capacity'),
      version: eb.ref('excluded.version'),
      outline: eb.ref('excluded.outline'),
      updatedAt: new Date(),
    })).where('courses.version', '<', (eb) => eb.ref('excluded.version')))
    .returning(['id'])
    .executeTakeFirst()
}

export async function archiveCourse(db: Db, id: string) {
  return db.updateTable('courses').set({ status: 'archived', updatedAt: new Date() }).where('id', '=', id).execute()
}

export async function findCourse(db: Db, id: string) {
  return db.selectFrom('courses').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Locks the course row: enrollments into one course serialise here (capacity check). */
export async function findCourseForUpdate(db: Transaction<Database>, id: string) {
  return db.selectFrom('courses').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function upsertCourseAssessment(db: Db, a: { assessmentId: string; courseId: string; required: boolean; deleted: boolean }) {
  return db.insertInto('courseAssessments').values(a)
    .onConflict((oc) => oc.column('assessmentId').doUpdateSet({ courseId: a.courseId, required: a.required, deleted: a.deleted }))
    .execute()
}

export async function listCourseAssessments(db: Db, courseId: string) {
  return db.selectFrom('courseAssessments').selectAll().where('courseId', '=', courseId).execute()
}

export async function recordPass(db: Db, pass: { userId: string; assessmentId: string; courseId: string }) {
  return db.insertInto('assessmentPasses').values(pass).onConflict((oc) => oc.columns(['userId', 'assessmentId']).doNothing()).execute()
}

export async function passedAssessmentIds(db: Db, userId: string, courseId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('assessmentPasses').select('assessmentId').where('userId', '=', userId).where('courseId', '=', courseId).execute()
  return new Set(rows.map((r) => r.assessmentId))
}

export async function deletePassesOfUser(db: Db, userId: string) {
  return db.deleteFrom('assessmentPasses').where('userId', '=', userId).execute()
}

