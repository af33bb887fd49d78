import type { ColumnType, Generated, JSONColumnType, Selectable } from 'kysely'

export type QuestionType = 'single_choice' | 'multiple_choice' | 'true_false' | 'short_answer' | 'essay'
export type ShowCorrectAnswers = 'never' | 'after_attempt' | 'after_close'

/** A question as stored (inside its assessment, in order). */
export interface StoredQuestion {
  id: string
  questionType: QuestionType
  text: string
  points: number
  choices?: Array<{ id: string; text: string; isCorrect: boolean }>
  acceptedAnswers?: string[]
  partialCredit?: boolean
  caseSensitive?: boolean
  numericTolerance?: number
}

export interface AssessmentTable {
  id: string
  courseId: string
  lessonId: string | null
  title: string
  assessmentType: 'quiz' | 'exam' | 'assignment'
  passingScore: number
  maxAttempts: number
  timeLimitMinutes: number | null
  opensAt: Date | null
  closesAt: Date | null
  required: boolean
  shuffleQuestions: boolean
  shuffleChoices: boolean
  questionsPerAttempt: number | null
  bankId: ColumnType<string | null, string | null | undefined, string | null>
  showCorrectAnswers: ShowCorrectAnswers
  questions: JSONColumnType<StoredQuestion[], string, string>
  version: Generated<number>
  createdAt: ColumnType<Date, Date | undefined, never>
  updatedAt: ColumnType<Date, Date | undefined, Date>
  deletedAt: Date | null
}

export type AssessmentRow = Selectable<AssessmentTable>
