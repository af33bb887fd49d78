/** Every notification type: whether a person may mute it and where its emails queue (lower goes first). */
export const NOTIFICATION_TYPES = {
  security_notice: { mutable: false, priority: 0 },
  welcome: { mutable: true, priority: 0 },
  enrollment_confirmed: { mutable: true, priority: 5 },
  instructor_new_enrollment: { mutable: true, priority: 8 },
  progress_milestone: { mutable: true, priority: 5 },
  course_completed: { mutable: true, priority: 5 },
  certificate_issued: { mutable: true, priority: 5 },
  assessment_passed: { mutable: true, priority: 5 },
  assessment_retry: { mutable: true, priority: 5 },
  waitlist_joined: { mutable: true, priority: 5 },
  waitlist_course_published: { mutable: true, priority: 5 },
  announcement: { mutable: true, priority: 9 },
} as const

export type NotificationType = keyof typeof NOTIFICATION_TYPES
export const CHANNELS = ['in_app', 'email'] as const
export type ChannelName = (typeof CHANNELS)[number]

export function isNotificationType(value: string): value is NotificationType {
  return Object.hasOwn(NOTIFICATION_TYPES, value)
}

export function isChannel(value: string): value is ChannelName {
  return (CHANNELS as readonly string[]).includes(value)
}
