import type { ColumnType, Generated, JSONColumnType, Selectable } from 'kysely'
import type { StoredQuestion } from '../assessments/table.js'

/** A course's pool of questions that assessments draw from at each attempt. */
export interface QuestionBankTable {
  id: string
  courseId: string
  title: string
  questions: JSONColumnType<StoredQuestion[], string, string>
  version: Generated<number>
  createdAt: ColumnType<Date, Date | undefined, never>
  updatedAt: ColumnType<Date, Date | undefined, Date>
  deletedAt: Date | null
}

export type QuestionBankRow = Selectable<QuestionBankTable>
