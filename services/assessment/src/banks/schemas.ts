import Type, { type Static } from 'typebox'
import { IdSchema } from '@lms/kit'
import { QuestionInputSchema, QuestionSchema } from '../assessments/schemas.js'
import type { QuestionBankRow } from './table.js'

export const QuestionBankSchema = Type.Object({
  id: IdSchema,
  courseId: IdSchema,
  title: Type.String(),
  questions: Type.Array(QuestionSchema),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type QuestionBank = Static<typeof QuestionBankSchema>

export const CreateQuestionBankSchema = Type.Object({
  courseId: IdSchema,
  title: Type.String({ minLength: 1, maxLength: 300 }),
  questions: Type.Array(QuestionInputSchema, { maxItems: 2000 }),
}, { additionalProperties: false })
export type CreateQuestionBank = Static<typeof CreateQuestionBankSchema>

export const UpdateQuestionBankSchema = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  questions: Type.Optional(Type.Array(QuestionInputSchema, { maxItems: 2000 })),
}, { additionalProperties: false, minProperties: 1 })
export type UpdateQuestionBank = Static<typeof UpdateQuestionBankSchema>

export const BankParamsSchema = Type.Object({ bankId: IdSchema }, { additionalProperties: false })

export function toQuestionBank(row: QuestionBankRow): QuestionBank {
  return {
    id: row.id, courseId: row.courseId, title: row.title, questions: row.questions, version: row.version,
    createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
  }
}
