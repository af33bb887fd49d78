import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `notification.sent` v1 (published by the notification service).
 *
 * @example
 * const event = createEvent('notification.sent', payload, { source: 'notification' }) // payload: Static<typeof NotificationSentV1>
 */
export const NotificationSentV1 = Type.Object({
  notificationId: Uuid,
  userId: Uuid,
  type: Type.String(),
  channel: Type.String(),
})
