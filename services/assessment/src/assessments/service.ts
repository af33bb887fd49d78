import type { Kysely } from 'kysely'
import { uuidv7 } from 'uuidv7'
import { kitErrors, type AuthUser } from '@lms/kit'
import { createEvent, enqueue } from '@lms/events'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import type { AccessService } from '../read-models/service.js'
import {
  findAssessment, findAssessmentForUpdate, hasAttempts, insertAssessment, listCourseAssessments, softDeleteAssessment, updateAssessment,
} from './repository.js'
import { toAssessment, toStudentAssessment, type CreateAssessment, type QuestionInput, type UpdateAssessment } from './schemas.js'
import type { AssessmentRow, StoredQuestion } from './table.js'

type Caller = Pick<AuthUser, 'id' | 'role'>

export function normaliseQuestions(input: QuestionInput[]): StoredQuestion[] {
  return input.map((q, i) => {
    const where = `questions[${i}]`
    const correct = q.choices?.filter((c) => c.isCorrect).length ?? 0
    const choiceCount = q.choices?.length ?? 0
    switch (q.questionType) {
      case 'single_choice':
        if (choiceCount < 2 || correct !== 1) throw errors.ASM_ERR_INVALID_QUESTION(`${where}: a single choice question needs at least 2 choices and exactly one correct`)
        break
      case 'true_false':
        if (choiceCount !== 2 || correct !== 1) throw errors.ASM_ERR_INVALID_QUESTION(`${where}: a true/false question needs 2 choices, one correct`)
        break
      case 'multiple_choice':
        if (choiceCount < 2 || correct < 1) throw errors.ASM_ERR_INVALID_QUESTION(`${where}: a multiple choice question needs at least 2 choices and one correct`)
        break
      case 'short_answer':
        if (choiceCount || !q.acceptedAnswers?.length) throw errors.ASM_ERR_INVALID_QUESTION(`${where}: a short answer question needs acceptedAnswers and no choices`)
        break
      case 'essay':
        if (choiceCount || q.acceptedAnswers?.length) throw errors.ASM_ERR_INVALID_QUESTION(`${where}: an essay question has no choices or accepted answers`)
        break
    }
    const stored: StoredQuestion = { id: q.id ?? uuidv7(), questionType: q.questionType, text: q.text, points: q.points }
    if (q.choices) stored.choices = q.choices.map((c) => ({ id: c.id ?? uuidv7(), text: c.text, isCorrect: c.isCorrect }))
    if (q.acceptedAnswers) stored.acceptedAnswers = q.acceptedAnswers
    if (q.questionType === 'multiple_choice' && q.partialCredit !== undefined) stored.partialCredit = q.partialCredit
    if (q.questionType === 'short_answer') {
      if (q.caseSensitive !== undefined) stored.caseSensitive = q.caseSensitive
      if (q.numericTolerance !== undefined) stored.numericTolerance = q.numericTolerance
    }
    return stored
  })
}

function checkRules(a: { required: boolean; questions: StoredQuestion[]; bankQuestions: number; opensAt: Date | null; closesAt: Date | null }) {
  if (a.required && a.questions.length + a.bankQuestions === 0) throw errors.ASM_ERR_REQUIRED_WITHOUT_QUESTIONS()
  if (a.opensAt && a.closesAt && a.closesAt <= a.opensAt) throw errors.ASM_ERR_INVALID_WINDOW()
}

// jsonb does not keep key order, so questions are compared with sorted keys.
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
    : v))
}

const date = (s: string | null | undefined) => (s ? new Date(s) : null)

function definition(row: AssessmentRow) {
  return { assessmentId: row.id, courseId: row.courseId, required: row.required, title: row.title, passingScore: row.passingScore }
}

export function createAssessmentService(deps: {
  db: Kysely<Database>; access: AccessService; bankQuestions: (bankId: string, courseId: string) => Promise<StoredQuestion[]>
}) {
  const { db, access } = deps
  const bankSize = async (bankId: string | null | undefined, courseId: string) => (bankId ? (await deps.bankQuestions(bankId, courseId)).length : 0)

  /** The assessment when the caller may see it (staff: everything; enrolled student: no answers); 404 otherwise. */
  async function visible(caller: Caller, id: string) {
    const row = await findAssessment(db, id)
    if (!row) throw errors.ASM_ERR_ASSESSMENT_NOT_FOUND()
    const role = await access.access(caller, row.courseId)
    if (role === 'none') throw errors.ASM_ERR_ASSESSMENT_NOT_FOUND()
    return { row, role }
  }

  async function requireStaffOf(caller: Caller, courseId: string) {
    const role = await access.access(caller, courseId)
    if (role === 'none') throw errors.ASM_ERR_ASSESSMENT_NOT_FOUND()
    if (role === 'student') throw errors.ASM_ERR_NOT_COURSE_INSTRUCTOR()
  }

  return {
    visible,
    requireStaffOf,

    async create(caller: Caller, input: CreateAssessment) {
      await access.requireStaff(caller, input.courseId)
      const questions = normaliseQuestions(input.questions ?? [])
      const values = {
        id: uuidv7(),
        courseId: input.courseId,
        lessonId: input.lessonId ?? null,
        title: input.title,
        assessmentType: input.assessmentType ?? 'quiz',
        passingScore: input.passingScore ?? 70,
        maxAttempts: input.maxAttempts ?? 1,
        timeLimitMinutes: input.timeLimitMinutes ?? null,
        opensAt: date(input.opensAt),
        closesAt: date(input.closesAt),
        required: input.required ?? false,
        shuffleQuestions: input.shuffleQuestions ?? false,
        shuffleChoices: input.shuffleChoices ?? false,
        questionsPerAttempt: input.questionsPerAttempt ?? null,
        bankId: input.bankId ?? null,
        showCorrectAnswers: input.showCorrectAnswers ?? 'never',
      }
      checkRules({ ...values, questions, bankQuestions: await bankSize(values.bankId, values.courseId) })
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertAssessment(trx, { ...values, questions: JSON.stringify(questions) })
        await enqueue(trx, createEvent('assessment.created', definition(created), { source: 'assessment' }))
        return created
      })
      return toAssessment(row)
    },

    async get(caller: Caller, id: string) {
      const { row, role } = await visible(caller, id)
      return role === 'staff' ? toAssessment(row) : toStudentAssessment(row)
    },

    async listByCourse(caller: Caller, courseId: string, q: { limit: number; after?: string }) {
      const role = await access.access(caller, courseId)
      if (role === 'none') throw errors.ASM_ERR_COURSE_NOT_FOUND()
      const rows = await listCourseAssessments(db, courseId, q)
      return { rows, map: role === 'staff' ? toAssessment : toStudentAssessment }
    },

    async update(caller: Caller, id: string, input: UpdateAssessment, expectedVersion: number | undefined) {
      return db.transaction().execute(async (trx) => {
        const current = await findAssessmentForUpdate(trx, id)
        if (!current) throw errors.ASM_ERR_ASSESSMENT_NOT_FOUND()
        await requireStaffOf(caller, current.courseId)
        if (expectedVersion !== undefined && expectedVersion !== current.version) throw kitErrors.KIT_ERR_PRECONDITION_FAILED()
        const questions = input.questions ? normaliseQuestions(input.questions) : current.questions
        const changes = {
          ...(input.lessonId !== undefined ? { lessonId: input.lessonId } : {}),
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.assessmentType !== undefined ? { assessmentType: input.assessmentType } : {}),
          ...(input.passingScore !== undefined ? { passingScore: input.passingScore } : {}),
          ...(input.maxAttempts !== undefined ? { maxAttempts: input.maxAttempts } : {}),
          ...(input.timeLimitMinutes !== undefined ? { timeLimitMinutes: input.timeLimitMinutes } : {}),
          ...(input.opensAt !== undefined ? { opensAt: date(input.opensAt) } : {}),
          ...(input.closesAt !== undefined ? { closesAt: date(input.closesAt) } : {}),
          ...(input.required !== undefined ? { required: input.required } : {}),
          ...(input.shuffleQuestions !== undefined ? { shuffleQuestions: input.shuffleQuestions } : {}),
          ...(input.shuffleChoices !== undefined ? { shuffleChoices: input.shuffleChoices } : {}),
          ...(input.questionsPerAttempt !== undefined ? { questionsPerAttempt: input.questionsPerAttempt } : {}),
          ...(input.bankId !== undefined ? { bankId: input.bankId } : {}),
          ...(input.showCorrectAnswers !== undefined ? { showCorrectAnswers: input.showCorrectAnswers } : {}),
        }
        const next = { ...current, ...changes, questions }
        checkRules({ ...next, bankQuestions: await bankSize(next.bankId, next.courseId) })
        const gradingChanged = canonical(questions) !== canonical(current.questions)
          || next.passingScore !== current.passingScore || next.questionsPerAttempt !== current.questionsPerAttempt
          || next.bankId !== current.bankId
        if (gradingChanged && (await hasAttempts(trx, id))) throw errors.ASM_ERR_GRADING_LOCKED()
        const row = await updateAssessment(trx, id, { ...changes, ...(input.questions ? { questions: JSON.stringify(questions) } : {}) })
        await enqueue(trx, createEvent('assessment.updated', definition(row), { source: 'assessment' }))
        return toAssessment(row)
      })
    },

    async delete(caller: Caller, id: string) {
      await db.transaction().execute(async (trx) => {
        const current = await findAssessmentForUpdate(trx, id)
        if (!current) throw errors.ASM_ERR_ASSESSMENT_NOT_FOUND()
        await requireStaffOf(caller, current.courseId)
        await softDeleteAssessment(trx, id)
        await enqueue(trx, createEvent('assessment.deleted',
          { assessmentId: id, courseId: current.courseId, required: current.required }, { source: 'assessment' }))
      })
    },
  }
}

export type AssessmentService = ReturnType<typeof createAssessmentService>
