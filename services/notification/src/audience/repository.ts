import type { Kysely, Transaction } from 'kysely'
import type { Role } from '@lms/kit'
import type { Database } from '../database.js'

type Db = Kysely<Database> | Transaction<Database>

export async function upsertContact(db: Db, c: { userId: string; email: string; fullName: string; role: Role }) {
  await db.insertInto('userContacts').values(c)
    .onConflict((oc) => oc.column('userId').doUpdateSet({ email: c.email, fullName: c.fullName, role: c.role, updatedAt: new Date() }))
    .execute()
}

export async function updateContactRole(db: Db, userId: string, role: Role, email?: string) {
  await db.updateTable('userContacts').set({ role, ...(email ? { email } : {}), updatedAt: new Date() }).where('userId', '=', userId).execute()
}

export async function findContact(db: Db, userId: string) {
  return db.selectFrom('userContacts').selectAll().where('userId', '=', userId).executeTakeFirst()
}

export async function deleteContact(db: Db, userId: string) {
  await db.deleteFrom('userContacts').where('userId', '=', userId).execute()
  await db.deleteFrom('courseStudents').where('userId', '=', userId).execute()
}

export async function upsertCourse(db: Db, c: { courseId: string; instructorId: string; title: string }) {
  await db.insertInto('courses').values(c)
    .onConflict((oc) => oc.column('courseId').doUpdateSet({ instructorId: c.instructorId, title: c.title }))
    .execute()
}

export async function findCourse(db: Db, courseId: string) {
  return db.selectFrom('courses').selectAll().where('courseId', '=', courseId).executeTakeFirst()
}

export async function addStudent(db: Db, courseId: string, userId: string) {
  await db.insertInto('courseStudents').values({ courseId, userId }).onConflict((oc) => oc.doNothing()).execute()
}

export async function removeStudent(db: Db, courseId: string, userId: string) {
  await db.deleteFrom('courseStudents').where('courseId', '=', courseId).where('userId', '=', userId).execute()
}

/** One batch of a course's students, in id order after `after`. */
export async function courseStudentBatch(db: Db, courseId: string, after: string | undefined, size: number) {
  let q = db.selectFrom('courseStudents').select('userId').where('courseId', '=', courseId).orderBy('userId').limit(size)
  if (after) q = q.where('userId', '>', after)
  return (await q.execute()).map((r) => r.userId)
}

/** One batch of known people (optionally of one role), in id order after `after`. */
export async function contactBatch(db: Db, role: Role | undefined, after: string | undefined, size: number) {
  let q = db.selectFrom('userContacts').select('userId').orderBy('userId').limit(size)
  if (role) q = q.where('role', '=', role)
  if (after) q = q.where('userId', '>', after)
  return (await q.execute()).map((r) => r.userId)
}
