import { sql, type Kysely } from 'kysely'
import type { Database } from '../database.js'

/**
 * Leases up to `size` due email deliveries, security and welcome first. The
 * lease (next_attempt_at pushed forward) lets replicas share the queue with
 * SKIP LOCKED and brings a delivery back if its worker dies mid-send.
 */
export async function claimDueEmails(db: Kysely<Database>, size: number, leaseMs: number) {
  const rows = await db.updateTable('deliveries')
    .set({ attempts: sql`attempts + 1`, nextAttemptAt: sql`now() + make_interval(secs => ${leaseMs / 1000})`, updatedAt: new Date() })
    .where('id', 'in', (eb) => eb.selectFrom('deliveries').select('id')
      .where('status', '=', 'queued').where('channel', '=', 'email').where('nextAttemptAt', '<=', sql<Date>`now()`)
      .orderBy('priority').orderBy('nextAttemptAt').limit(size)
      .forUpdate().skipLocked())
    .returningAll().execute()
  return rows.sort((a, b) => a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime())
}

export async function emailContext(db: Kysely<Database>, notificationId: string, userId: string) {
  const notification = await db.selectFrom('notifications').selectAll().where('id', '=', notificationId).executeTakeFirst()
  const contact = await db.selectFrom('userContacts').selectAll().where('userId', '=', userId).executeTakeFirst()
  return { notification, contact }
}
