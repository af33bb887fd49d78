import type { ColumnType, Generated, Selectable } from 'kysely'

export interface NotificationTable {
  id: string
  userId: string
  type: string
  title: string
  body: string
  data: ColumnType<Record<string, unknown>, string, string>
  /** False when the person muted the in-app channel but still gets the email. */
  inApp: Generated<boolean>
  readAt: Date | null
  createdAt: Generated<Date>
}
export type NotificationRow = Selectable<NotificationTable>

/** A person's row, locked while their notifications are created (see `lockStreams`). */
export interface NotificationStreamTable {
  userId: string
}

export type Channel = 'in_app' | 'email'
export type DeliveryStatus = 'queued' | 'sent' | 'failed'

export interface DeliveryTable {
  id: string
  notificationId: string
  userId: string
  channel: Channel
  status: DeliveryStatus
  attempts: Generated<number>
  lastError: string | null
  nextAttemptAt: Date | null
  priority: number
  sentAt: Date | null
  createdAt: Generated<Date>
  updatedAt: Generated<Date>
}
export type DeliveryRow = Selectable<DeliveryTable>
