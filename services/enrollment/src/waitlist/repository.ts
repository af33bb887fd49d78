import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { WaitlistEntryRow } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertEntry(db: Db, e: { id: string; userId: string; courseId: string }) {
  return db.insertInto('waitlistEntries').values({ ...e, status: 'waiting' }).returningAll().executeTakeFirstOrThrow()
}

export async function findWaiting(db: Db, userId: string, courseId: string) {
  return db.selectFrom('waitlistEntries').selectAll()
    .where('userId', '=', userId).where('courseId', '=', courseId).where('status', '=', 'waiting').executeTakeFirst()
}

export async function findEntry(db: Db, id: string): Promise<WaitlistEntryRow | undefined> {
  return db.selectFrom('waitlistEntries').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The first waiting entry of the course (the caller holds the course row lock). */
export async function firstWaiting(db: Db, courseId: string) {
  return db.selectFrom('waitlistEntries').selectAll()
    .where('courseId', '=', courseId).where('status', '=', 'waiting').orderBy('id').limit(1).executeTakeFirst()
}

/** 1-based place in the course's queue. */
export async function positionOf(db: Db, entry: { id: string; courseId: string }) {
  const row = await db.selectFrom('waitlistEntries').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('courseId', '=', entry.courseId).where('status', '=', 'waiting').where('id', '<=', entry.id).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function markPromoted(db: Db, id: string, enrollmentId: string) {
  return db.updateTable('waitlistEntries').set({ status: 'promoted', enrollmentId, promotedAt: new Date() })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function deleteEntry(db: Db, id: string) {
  return db.deleteFrom('waitlistEntries').where('id', '=', id).returning(['id', 'userId', 'courseId']).executeTakeFirst()
}

/** Deletes the entry only while it is waiting (a concurrent promotion wins); answers how many rows went. */
export async function deleteWaiting(db: Db, id: string) {
  const result = await db.deleteFrom('waitlistEntries').where('id', '=', id).where('status', '=', 'waiting').executeTakeFirst()
  return Number(result.numDeletedRows)
}

export async function listOfUser(db: Db, userId: string, q: { limit: number; before?: string }) {
  let query = db.selectFrom('waitlistEntries').selectAll().where('userId', '=', userId).orderBy('id', 'desc').limit(q.limit + 1)
  if (q.before) query = query.where('id', '<', q.before)
  return query.execute()
}

/** user.deleted: waiting entries go; promoted ones lose the link to the person like the enrollments do. */
export async function forgetUser(db: Db, userId: string) {
  await db.deleteFrom('waitlistEntries').where('userId', '=', userId).where('status', '=', 'waiting').execute()
  await db.updateTable('waitlistEntries').set({ userId: sql`gen_random_uuid()` }).where('userId', '=', userId).execute()
}
