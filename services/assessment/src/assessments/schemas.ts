import Type, { type Static } from 'typebox'
import { IdSchema } from '@lms/kit'
import type { AssessmentRow, StoredQuestion } from './table.js'

export const QuestionTypeSchema = Type.Union([Type.Literal('single_choice'), Type.Literal('multiple_choice'), Type.Literal('true_false'), Type.Literal('short_answer'), Type.Literal('essay')])
export const AssessmentTypeSchema = Type.Union([Type.Literal('quiz'), Type.Literal('exam'), Type.Literal('assignment')])
export const ShowCorrectAnswersSchema = Type.Union([Type.Literal('never'), Type.Literal('after_attempt'), Type.Literal('after_close')])

// isCorrect is optional in the response schema only because the student view shares it.
const ChoiceSchema = Type.Object({ id: IdSchema, text: Type.String(), isCorrect: Type.Optional(Type.Boolean()) })
const StudentChoiceSchema = Type.Object({ id: IdSchema, text: Type.String() })

/** A question as the instructor sees it (with answers). */
export const QuestionSchema = Type.Object({
  id: IdSchema,
  questionType: QuestionTypeSchema,
  text: Type.String(),
  points: Type.Number(),
  choices: Type.Optional(Type.Array(ChoiceSchema)),
  acceptedAnswers: Type.Optional(Type.Array(Type.String())),
  partialCredit: Type.Optional(Type.Boolean()),
  caseSensitive: Type.Optional(Type.Boolean()),
  numericTolerance: Type.Optional(Type.Number()),
})

/** A question as a student sees it: no correctness, no accepted answers. */
export const StudentQuestionSchema = Type.Object({
  id: IdSchema,
  questionType: QuestionTypeSchema,
  text: Type.String(),
  points: Type.Number(),
  choices: Type.Optional(Type.Array(StudentChoiceSchema)),
})
export type StudentQuestion = Static<typeof StudentQuestionSchema>

const assessmentFields = {
  id: IdSchema,
  courseId: IdSchema,
  lessonId: Type.Optional(IdSchema),
  title: Type.String(),
  assessmentType: AssessmentTypeSchema,
  passingScore: Type.Number(),
  maxAttempts: Type.Integer(),
  timeLimitMinutes: Type.Optional(Type.Integer()),
  opensAt: Type.Optional(Type.String({ format: 'date-time' })),
  closesAt: Type.Optional(Type.String({ format: 'date-time' })),
  required: Type.Boolean(),
  shuffleQuestions: Type.Boolean(),
  shuffleChoices: Type.Boolean(),
  questionsPerAttempt: Type.Optional(Type.Integer()),
  bankId: Type.Optional(IdSchema),
  showCorrectAnswers: ShowCorrectAnswersSchema,
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
}

/** Response schema for both views: the serializer keeps only what the returned object carries. */
export const AssessmentSchema = Type.Object({
  ...assessmentFields,
  questions: Type.Array(QuestionSchema),
})
export type Assessment = Static<typeof AssessmentSchema>

export const QuestionInputSchema = Type.Object({
  id: Type.Optional(IdSchema),
  questionType: QuestionTypeSchema,
  text: Type.String({ minLength: 1, maxLength: 10_000 }),
  points: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
  choices: Type.Optional(Type.Array(Type.Object({
    id: Type.Optional(IdSchema),
    text: Type.String({ minLength: 1, maxLength: 2000 }),
    isCorrect: Type.Boolean(),
  }, { additionalProperties: false }), { maxItems: 20 })),
  acceptedAnswers: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 50 })),
  partialCredit: Type.Optional(Type.Boolean()),
  caseSensitive: Type.Optional(Type.Boolean()),
  numericTolerance: Type.Optional(Type.Number({ minimum: 0 })),
}, { additionalProperties: false })
export type QuestionInput = Static<typeof QuestionInputSchema>

const editable = {
  lessonId: Type.Optional(Type.Union([IdSchema, Type.Null()])),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  assessmentType: AssessmentTypeSchema,
  passingScore: Type.Number({ minimum: 0, maximum: 100 }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 100 }),
  timeLimitMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1440 }), Type.Null()])),
  opensAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  closesAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  required: Type.Boolean(),
  shuffleQuestions: Type.Boolean(),
  shuffleChoices: Type.Boolean(),
  questionsPerAttempt: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 500 }), Type.Null()])),
  /** Draw from this bank too (with questionsPerAttempt, N at random per attempt). */
  bankId: Type.Optional(Type.Union([IdSchema, Type.Null()])),
  showCorrectAnswers: ShowCorrectAnswersSchema,
  questions: Type.Array(QuestionInputSchema, { maxItems: 500 }),
}

export const CreateAssessmentSchema = Type.Object({
  courseId: IdSchema,
  ...editable,
  assessmentType: Type.Optional(AssessmentTypeSchema),
  passingScore: Type.Optional(editable.passingScore),
  maxAttempts: Type.Optional(editable.maxAttempts),
  required: Type.Optional(Type.Boolean()),
  shuffleQuestions: Type.Optional(Type.Boolean()),
  shuffleChoices: Type.Optional(Type.Boolean()),
  showCorrectAnswers: Type.Optional(ShowCorrectAnswersSchema),
  questions: Type.Optional(editable.questions),
}, { additionalProperties: false })
export type CreateAssessment = Static<typeof CreateAssessmentSchema>

export const UpdateAssessmentSchema = Type.Object(
  Object.fromEntries(Object.entries(editable).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof typeof editable]: ReturnType<typeof Type.Optional<(typeof editable)[K]>> },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateAssessment = Static<typeof UpdateAssessmentSchema>

export const CourseParamsSchema = Type.Object({ courseId: IdSchema }, { additionalProperties: false })

function base(row: AssessmentRow) {
  return {
    id: row.id,
    courseId: row.courseId,
    ...(row.lessonId ? { lessonId: row.lessonId } : {}),
    title: row.title,
    assessmentType: row.assessmentType,
    passingScore: row.passingScore,
    maxAttempts: row.maxAttempts,
    ...(row.timeLimitMinutes !== null ? { timeLimitMinutes: row.timeLimitMinutes } : {}),
    ...(row.opensAt ? { opensAt: row.opensAt.toISOString() } : {}),
    ...(row.closesAt ? { closesAt: row.closesAt.toISOString() } : {}),
    required: row.required,
    shuffleQuestions: row.shuffleQuestions,
    shuffleChoices: row.shuffleChoices,
    ...(row.questionsPerAttempt !== null ? { questionsPerAttempt: row.questionsPerAttempt } : {}),
    ...(row.bankId ? { bankId: row.bankId } : {}),
    showCorrectAnswers: row.showCorrectAnswers,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}

export function toAssessment(row: AssessmentRow): Assessment {
  return { ...base(row), questions: row.questions }
}

/** The student view: answers and correctness are removed here, not by the serializer. */
export function toStudentQuestion(q: StoredQuestion, choiceOrder?: string[]): StudentQuestion {
  const out: StudentQuestion = { id: q.id, questionType: q.questionType, text: q.text, points: q.points }
  if (q.choices) {
    const byId = new Map(q.choices.map((c) => [c.id, c]))
    const order = choiceOrder ?? q.choices.map((c) => c.id)
    out.choices = order.flatMap((id) => { const c = byId.get(id); return c ? [{ id: c.id, text: c.text }] : [] })
  }
  return out
}

export function toStudentAssessment(row: AssessmentRow) {
  return { ...base(row), questions: row.questions.map((q) => toStudentQuestion(q)) }
}
