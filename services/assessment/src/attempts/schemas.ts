import Type, { type Static } from 'typebox'
import { IdSchema } from '@lms/kit'
import { StudentQuestionSchema } from '../assessments/schemas.js'

const StatusSchema = Type.Union([Type.Literal('in_progress'), Type.Literal('pending_review'), Type.Literal('graded')])

export const StartedAttemptSchema = Type.Object({
  id: IdSchema,
  attemptNumber: Type.Integer(),
  questions: Type.Array(StudentQuestionSchema),
  deadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

export const SubmitSchema = Type.Object({
  attemptId: IdSchema,
  answers: Type.Array(Type.Object({
    questionId: IdSchema,
    choiceIds: Type.Optional(Type.Array(IdSchema, { maxItems: 20 })),
    text: Type.Optional(Type.String({ maxLength: 20_000 })),
  }, { additionalProperties: false }), { maxItems: 500 }),
}, { additionalProperties: false })
export type Submit = Static<typeof SubmitSchema>

export const AttemptOutcomeSchema = Type.Object({
  attemptId: IdSchema,
  score: Type.Number(),
  passed: Type.Boolean(),
  status: StatusSchema,
  late: Type.Boolean(),
})
export type AttemptOutcome = Static<typeof AttemptOutcomeSchema>

export const GradeSchema = Type.Object({
  attemptId: IdSchema,
  grades: Type.Array(Type.Object({
    questionId: IdSchema,
    points: Type.Number(),
    feedback: Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()])),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 500 }),
}, { additionalProperties: false })
export type Grade = Static<typeof GradeSchema>

const QuestionResultSchema = Type.Object({
  questionId: IdSchema,
  points: Type.Union([Type.Number(), Type.Null()]),
  maxPoints: Type.Number(),
  feedback: Type.Union([Type.String(), Type.Null()]),
  choiceIds: Type.Optional(Type.Array(IdSchema)),
  text: Type.Optional(Type.String()),
  /** Only when correct answers may be shown to this caller. */
  correctChoiceIds: Type.Optional(Type.Array(IdSchema)),
  acceptedAnswers: Type.Optional(Type.Array(Type.String())),
})

export const AttemptResultSchema = Type.Object({
  id: IdSchema,
  userId: IdSchema,
  attemptNumber: Type.Integer(),
  status: StatusSchema,
  score: Type.Union([Type.Number(), Type.Null()]),
  passed: Type.Union([Type.Boolean(), Type.Null()]),
  late: Type.Boolean(),
  startedAt: Type.String({ format: 'date-time' }),
  deadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  submittedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  questions: Type.Array(QuestionResultSchema),
})
export type AttemptResult = Static<typeof AttemptResultSchema>

export const StatisticsSchema = Type.Object({
  attempts: Type.Integer(),
  gradedAttempts: Type.Integer(),
  averageScore: Type.Union([Type.Number(), Type.Null()]),
  passRate: Type.Union([Type.Number(), Type.Null()]),
  questions: Type.Array(Type.Object({
    questionId: IdSchema,
    answered: Type.Integer(),
    correctRate: Type.Union([Type.Number(), Type.Null()]),
    averagePoints: Type.Union([Type.Number(), Type.Null()]),
  })),
})

export const ResultsSchema = Type.Object({
  items: Type.Array(AttemptResultSchema),
  statistics: Type.Optional(StatisticsSchema),
})
