import Type, { type Static } from 'typebox'
import { IdSchema, PageQuerySchema } from '@lms/kit'
import type { DeliveryRow, NotificationRow } from './table.js'

export const NotificationSchema = Type.Object({
  id: IdSchema,
  type: Type.String(),
  title: Type.String(),
  body: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
})
export type Notification = Static<typeof NotificationSchema>

export const NotificationListQuerySchema = Type.Object({
  ...PageQuerySchema.properties,
  unread: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })

export const UserIdParamsSchema = Type.Object({ userId: IdSchema }, { additionalProperties: false })

export const UnreadCountSchema = Type.Object({ count: Type.Integer({ minimum: 0 }) })
export const ReadAllResultSchema = Type.Object({ updated: Type.Integer({ minimum: 0 }) })

export const DeliverySchema = Type.Object({
  channel: Type.Union([Type.Literal('in_app'), Type.Literal('email')]),
  status: Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedAt: Type.String({ format: 'date-time' }),
})
export const DeliveryListSchema = Type.Object({ items: Type.Array(DeliverySchema) })

export const CreateNotificationSchema = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ minLength: 1, maxLength: 5000 }),
  /** Instructors: required, the course whose students get the message. Admins: optional. */
  courseId: Type.Optional(IdSchema),
  /** Admins without a course: everyone (`all`) or one role. */
  audience: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('student'), Type.Literal('instructor'), Type.Literal('admin')])),
  link: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: false })
export type CreateNotification = Static<typeof CreateNotificationSchema>
export const BulkResultSchema = Type.Object({ recipients: Type.Integer({ minimum: 0 }) })

export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    body: row.body,
    data: row.data,
    readAt: row.readAt ? row.readAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  }
}

export function toDelivery(row: DeliveryRow) {
  return {
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.nextAttemptAt ? row.nextAttemptAt.toISOString() : null,
    sentAt: row.sentAt ? row.sentAt.toISOString() : null,
    updatedAt: row.updatedAt.toISOString(),
  }
}
