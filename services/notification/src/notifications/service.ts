import type { Kysely, Transaction } from 'kysely'
import { uuidv7 } from 'uuidv7'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import { channelsFor } from '../preferences/service.js'
import { NOTIFICATION_TYPES, type NotificationType } from '../templates/catalog.js'
import { renderInApp } from '../templates/templates.js'
import type { TemplateVars } from '../templates/render.js'
import {
  countUnread, deleteOwned, findOwned, insertDeliveries, insertNotifications, listDeliveries, listForUser, lockStreams, markAllRead, markRead,
} from './repository.js'
import { toDelivery, toNotification } from './schemas.js'
import type { NotificationRow } from './table.js'

/** Tells connected clients about new in-app notifications (Redis pub/sub in production). */
export interface NotificationPublisher {
  publish(rows: NotificationRow[]): Promise<void>
}

/**
 * Writes one notification of `type` per recipient, with a delivery row per
 * channel the recipient has on, inside the caller's transaction. Returns the
 * rows to publish once the transaction has committed. Nobody with every
 * channel muted gets a row. Call it inside a transaction: the recipients'
 * stream rows stay locked until it ends, which keeps each person's
 * notifications committing in id order.
 */
export async function createNotifications(
  trx: Transaction<Database> | Kysely<Database>,
  type: NotificationType,
  recipients: Array<{ userId: string; vars: TemplateVars }>,
): Promise<NotificationRow[]> {
  if (recipients.length === 0) return []
  await lockStreams(trx, recipients.map((r) => r.userId))
  const choices = await channelsFor(trx, recipients.map((r) => r.userId), type)
  const priority = NOTIFICATION_TYPES[type].priority
  const notifications = []
  const deliveries = []
  for (const r of recipients) {
    const choice = choices.get(r.userId)!
    if (!choice.inApp && !choice.email) continue
    const { title, body } = renderInApp(type, r.vars)
    const id = uuidv7()
    notifications.push({ id, userId: r.userId, type, title, body, data: r.vars, inApp: choice.inApp })
    if (choice.inApp) {
      deliveries.push({ id: uuidv7(), notificationId: id, userId: r.userId, channel: 'in_app' as const, status: 'sent' as const, attempts: 1, priority, sentAt: new Date(), lastError: null, nextAttemptAt: null })
    }
    if (choice.email) {
      deliveries.push({ id: uuidv7(), notificationId: id, userId: r.userId, channel: 'email' as const, status: 'queued' as const, priority, nextAttemptAt: new Date(), lastError: null, sentAt: null })
    }
  }
  const rows = await insertNotifications(trx, notifications)
  await insertDeliveries(trx, deliveries)
  return rows.filter((r) => r.inApp)
}

export function createNotificationService(deps: { db: Kysely<Database> }) {
  const { db } = deps
  return {
    async list(q: { userId: string; limit: number; after?: string; unread?: boolean }) {
      return listForUser(db, q)
    },
    async unreadCount(userId: string) {
      return { count: await countUnread(db, userId) }
    },
    async markRead(userId: string, id: string) {
      const row = await markRead(db, id, userId)
      if (!row) throw errors.NTF_ERR_NOT_FOUND()
      return toNotification(row)
    },
    async markAllRead(userId: string) {
      return { updated: await markAllRead(db, userId) }
    },
    async delete(userId: string, id: string) {
      if (!(await deleteOwned(db, id, userId))) throw errors.NTF_ERR_NOT_FOUND()
    },
    async deliveries(caller: { id: string; role: string }, id: string) {
      const row = await findOwned(db, id, caller.role === 'admin' ? undefined : caller.id)
      if (!row) throw errors.NTF_ERR_NOT_FOUND()
      return { items: (await listDeliveries(db, id)).map(toDelivery) }
    },
  }
}

export type NotificationService = ReturnType<typeof createNotificationService>
