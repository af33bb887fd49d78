import type { CertificateTable, LearnerTable } from './certificates/table.js'
import type { AssessmentPassTable, CourseAssessmentTable, CourseTable } from './courses/table.js'
import type { EnrollmentTable, LessonProgressTable } from './enrollments/table.js'
import type { WaitlistEntryTable } from './waitlist/table.js'

export interface Database {
  courses: CourseTable
  courseAssessments: CourseAssessmentTable
  assessmentPasses: AssessmentPassTable
  enrollments: EnrollmentTable
  lessonProgress: LessonProgressTable
  certificates: CertificateTable
  learners: LearnerTable
  waitlistEntries: WaitlistEntryTable
}
