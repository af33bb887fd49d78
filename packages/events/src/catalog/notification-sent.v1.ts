import Type from 'typebox'
import { Uuid } from './common.js'

export const NotificationSentV1 = Type.Object({
  notificationId: Uuid,
  userId: Uuid,
  type: Type.String(),
  channel: Type.String(),
})
