import type { CourseStudentTable, CourseTable, UserContactTable } from './audience/table.js'
import type { DeliveryTable, NotificationStreamTable, NotificationTable } from './notifications/table.js'
import type { PreferenceTable } from './preferences/table.js'
import type { WaitlistEntryTable } from './waitlist/table.js'

export interface Database {
  notifications: NotificationTable
  notificationStreams: NotificationStreamTable
  deliveries: DeliveryTable
  preferences: PreferenceTable
  userContacts: UserContactTable
  courses: CourseTable
  courseStudents: CourseStudentTable
  waitlistEntries: WaitlistEntryTable
}
