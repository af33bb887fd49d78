import type { ColumnType, JSONColumnType, Selectable } from 'kysely'

/** The questions an attempt drew, in the order shown, with the choice order shown. */
import type { StoredQuestion } from '../assessments/table.js'

/** A bank question is copied into the attempt, so later bank edits never change how it is graded. */
export interface DrawnQuestion { questionId: string; choiceIds?: string[]; question?: StoredQuestion }
export interface StoredAnswer { questionId: string; choiceIds?: string[]; text?: string }
/** Points per question: auto-graded or set by the instructor; null while an essay awaits review. */
export interface StoredGrade { questionId: string; points: number | null; maxPoints: number; feedback: string | null; manual: boolean }

export type AttemptStatus = 'in_progress' | 'pending_review' | 'graded'

export interface AttemptTable {
  id: string
  assessmentId: string
  userId: string
  attemptNumber: number
  status: AttemptStatus
  drawn: JSONColumnType<DrawnQuestion[], string, string>
  answers: JSONColumnType<StoredAnswer[], string, string>
  grades: JSONColumnType<StoredGrade[], string, string>
  score: number | null
  passed: boolean | null
  late: boolean
  anonymised: ColumnType<boolean, boolean | undefined, boolean>
  startedAt: ColumnType<Date, Date | undefined, never>
  deadline: Date | null
  submittedAt: Date | null
  gradedAt: Date | null
}

export type AttemptRow = Selectable<AttemptTable>
