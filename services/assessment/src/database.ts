import type { AssessmentTable } from './assessments/table.js'
import type { AttemptTable } from './attempts/table.js'
import type { QuestionBankTable } from './banks/table.js'
import type { CourseTable, EnrollmentTable } from './read-models/table.js'

export interface Database {
  assessments: AssessmentTable
  attempts: AttemptTable
  questionBanks: QuestionBankTable
  courses: CourseTable
  enrollments: EnrollmentTable
}
