import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'

type Db = Kysely<Database> | Transaction<Database>

/** Records a waiting entry; false when the entry is known already (redelivered, or it ended first). */
export async function insertWaiting(db: Db, e: { entryId: string; courseId: string; userId: string }) {
  const row = await db.insertInto('waitlistEntries').values({ ...e, status: 'waiting' })
    .onConflict((oc) => oc.column('entryId').doNothing()).returning('entryId').executeTakeFirst()
  return row !== undefined
}

/** Ends the entry (inserting it as ended when its enrollment.waitlisted has not arrived yet). */
export async function markLeft(db: Db, e: { entryId: string; courseId: string; userId: string }) {
  await db.insertInto('waitlistEntries').values({ ...e, status: 'left' })
    .onConflict((oc) => oc.column('entryId').doUpdateSet({ status: 'left', pendingVersion: null, updatedAt: new Date() }))
    .execute()
}

/** Everyone waiting for the course who has not heard of this version (or a newer one) is due a notification. */
export async function markDue(db: Db, courseId: string, version: number) {
  await db.updateTable('waitlistEntries').set({ pendingVersion: version, updatedAt: new Date() })
    .where('courseId', '=', courseId).where('status', '=', 'waiting')
    .where(sql<boolean>`coalesce(notified_version, 0) < ${version}`)
    .where(sql<boolean>`coalesce(pending_version, 0) < ${version}`)
    .execute()
}

/** Takes up to `size` due entries of the course and version (marking them notified) and answers their users. */
export async function takeDue(db: Db, courseId: string, version: number, size: number) {
  const due = db.selectFrom('waitlistEntries').select('entryId')
    .where('courseId', '=', courseId).where('pendingVersion', '=', version)
    .orderBy('entryId').limit(size).forUpdate().skipLocked()
  const rows = await db.updateTable('waitlistEntries')
    .set({ notifiedVersion: version, pendingVersion: null, updatedAt: new Date() })
    .where('entryId', 'in', due).returning('userId').execute()
  return rows.map((r) => r.userId)
}

export async function deleteEntriesOfUser(db: Db, userId: string) {
  await db.deleteFrom('waitlistEntries').where('userId', '=', userId).execute()
}
