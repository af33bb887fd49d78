import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { DeliveryTable, NotificationRow } from './table.js'
import type { Insertable } from 'kysely'

type Db = Kysely<Database> | Transaction<Database>

export interface NewNotification {
  id: string
  userId: string
  type: string
  title: string
  body: string
  data: Record<string, unknown>
  inApp: boolean
}

/**
 * Locks each person's stream row (created on first use) until the transaction
 * ends, in id order so two transactions can't deadlock on the same people.
 * Ids taken after this commit in the order they were taken, for each person:
 * a stream's `Last-Event-ID` cursor then never skips a late commit.
 */
export async function lockStreams(db: Db, userIds: string[]) {
  const ids = [...new Set(userIds)].sort()
  if (ids.length === 0) return
  await db.insertInto('notificationStreams').values(ids.map((userId) => ({ userId })))
    .onConflict((oc) => oc.column('userId').doUpdateSet((eb) => ({ userId: eb.ref('excluded.userId') })))
    .execute()
}

export async function insertNotifications(db: Db, rows: NewNotification[]): Promise<NotificationRow[]> {
  if (rows.length === 0) return []
  return db.insertInto('notifications')
    .values(rows.map((r) => ({ ...r, data: JSON.stringify(r.data) })))
    .returningAll().execute()
}

export async function insertDeliveries(db: Db, rows: Insertable<DeliveryTable>[]) {
  if (rows.length === 0) return
  await db.insertInto('deliveries').values(rows).execute()
}

export async function listForUser(db: Db, q: { userId: string; limit: number; after?: string; unread?: boolean }) {
  let query = db.selectFrom('notifications').selectAll()
    .where('userId', '=', q.userId).where('inApp', '=', true)
    .orderBy('id', 'desc').limit(q.limit + 1)
  if (q.after) query = query.where('id', '<', q.after)
  if (q.unread) query = query.where('readAt', 'is', null)
  return query.execute()
}

/** In-app notifications after `afterId` (oldest first): what a reconnecting stream missed. */
export async function listSince(db: Db, userId: string, afterId: string, max: number) {
  return db.selectFrom('notifications').selectAll()
    .where('userId', '=', userId).where('inApp', '=', true).where('id', '>', afterId)
    .orderBy('id', 'asc').limit(max).execute()
}

export async function countUnread(db: Db, userId: string) {
  const row = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('userId', '=', userId).where('inApp', '=', true).where('readAt', 'is', null).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function findOwned(db: Db, id: string, userId: string | undefined) {
  let query = db.selectFrom('notifications').selectAll().where('id', '=', id)
  if (userId) query = query.where('userId', '=', userId)
  return query.executeTakeFirst()
}

export async function markRead(db: Db, id: string, userId: string) {
  return db.updateTable('notifications')
    .set({ readAt: sql<Date>`coalesce(read_at, now())` })
    .where('id', '=', id).where('userId', '=', userId).where('inApp', '=', true)
    .returningAll().executeTakeFirst()
}

export async function markAllRead(db: Db, userId: string) {
  const r = await db.updateTable('notifications').set({ readAt: new Date() })
    .where('userId', '=', userId).where('readAt', 'is', null).where('inApp', '=', true).executeTakeFirst()
  return Number(r.numUpdatedRows)
}

export async function deleteOwned(db: Db, id: string, userId: string) {
  const r = await db.deleteFrom('notifications').where('id', '=', id).where('userId', '=', userId).executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}

export async function deleteAllForUser(db: Db, userId: string) {
  await db.deleteFrom('notifications').where('userId', '=', userId).execute()
  await db.deleteFrom('notificationStreams').where('userId', '=', userId).execute()
}

export async function listDeliveries(db: Db, notificationId: string) {
  return db.selectFrom('deliveries').selectAll().where('notificationId', '=', notificationId).orderBy('channel').execute()
}
