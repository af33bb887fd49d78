import { randomInt } from 'node:crypto'
import type { Kysely } from 'kysely'
import { uuidv7 } from 'uuidv7'
import type { AuthUser } from '@lms/kit'
import { createEvent, enqueue, enqueueWith } from '@lms/events'
import { toStudentQuestion } from '../assessments/schemas.js'
import type { AssessmentService } from '../assessments/service.js'
import type { AssessmentRow, StoredQuestion } from '../assessments/table.js'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import type { AccessService } from '../read-models/service.js'
import { autoPoints, round, summarise } from './grading.js'
import {
  countAttempts, findAttemptForUpdate, findSubmittable, insertAttempt, listAttempts, lockUserAssessment, saveAttempt, submissionUpdate, type GradingView,
} from './repository.js'
import type { AttemptOutcome, AttemptResult, Grade, Submit } from './schemas.js'
import type { AttemptRow, AttemptStatus, DrawnQuestion, StoredAnswer, StoredGrade } from './table.js'

type Caller = Pick<AuthUser, 'id' | 'role'>

function shuffled<T>(items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Picks the attempt's questions (N at random from the pool when configured) and their order. */
export function draw(a: AssessmentRow, bank: StoredQuestion[] = []): DrawnQuestion[] {
  const own = new Set(a.questions.map((q) => q.id))
  let pool = [...a.questions, ...bank.filter((q) => !own.has(q.id))]
  if (a.questionsPerAttempt !== null && a.questionsPerAttempt < pool.length) pool = shuffled(pool).slice(0, a.questionsPerAttempt)
  else if (a.shuffleQuestions) pool = shuffled(pool)
  return pool.map((q) => {
    const copy = own.has(q.id) ? {} : { question: q }
    if (!q.choices) return { questionId: q.id, ...copy }
    const ids = q.choices.map((c) => c.id)
    return { questionId: q.id, choiceIds: a.shuffleChoices && q.questionType !== 'true_false' ? shuffled(ids) : ids, ...copy }
  })
}

function deadlineOf(a: AssessmentRow, now: Date): Date | null {
  const limit = a.timeLimitMinutes !== null ? new Date(now.getTime() + a.timeLimitMinutes * 60_000) : null
  if (limit && a.closesAt) return limit < a.closesAt ? limit : a.closesAt
  return limit ?? a.closesAt
}

const QUESTION_CACHE_SIZE = 1000

/** The questions an attempt can refer to: the assessment's own (a list, or a map left unchanged) plus the bank questions it drew. */
function questionsOf(own: StoredQuestion[] | Map<string, StoredQuestion>, attempt: Pick<AttemptRow, 'drawn'>) {
  if (own instanceof Map && !attempt.drawn.some((d) => d.question)) return own
  const map = new Map(own instanceof Map ? own : own.map((q) => [q.id, q]))
  for (const d of attempt.drawn) if (d.question) map.set(d.questionId, d.question)
  return map
}

/** `assessment.graded` when nothing is left to grade by hand. */
function gradedEvent(a: GradingView, row: Pick<AttemptRow, 'id' | 'userId' | 'attemptNumber' | 'status' | 'score' | 'passed'>) {
  if (row.status !== 'graded') return []
  return [createEvent('assessment.graded', {
    attemptId: row.id, assessmentId: a.id, courseId: a.courseId, userId: row.userId, score: row.score ?? 0,
    passed: row.passed ?? false, attemptNumber: row.attemptNumber, required: a.required, title: a.title,
  }, { source: 'assessment' })]
}

/** The submitted answers as stored, refused (422) when one names a question or choice the attempt does not have. */
function checkedAnswers(input: Submit['answers'], questions: Map<string, StoredQuestion>, drawn: DrawnQuestion[]) {
  const inAttempt = new Set(drawn.map((d) => d.questionId))
  const answers = new Map<string, StoredAnswer>()
  for (const answer of input) {
    const q = questions.get(answer.questionId)
    if (!q || !inAttempt.has(answer.questionId)) throw errors.ASM_ERR_QUESTION_NOT_IN_ATTEMPT(`question ${answer.questionId} is not part of this attempt`)
    if (answers.has(answer.questionId)) throw errors.ASM_ERR_DUPLICATE_ANSWER()
    const known = new Set((q.choices ?? []).map((c) => c.id))
    for (const id of answer.choiceIds ?? []) {
      if (!known.has(id)) throw errors.ASM_ERR_UNKNOWN_CHOICE(`choice ${id} does not belong to question ${q.id}`)
    }
    answers.set(answer.questionId, {
      questionId: answer.questionId,
      ...(answer.choiceIds ? { choiceIds: [...new Set(answer.choiceIds)] } : {}),
      ...(answer.text !== undefined ? { text: answer.text } : {}),
    })
  }
  return answers
}

function outcome(row: AttemptRow): AttemptOutcome {
  return { attemptId: row.id, score: row.score ?? 0, passed: row.passed ?? false, status: row.status, late: row.late }
}

/** The attempt's deadline as of now: the course may have been closed earlier than when it started. */
function effectiveDeadline(a: Pick<AssessmentRow, 'closesAt'>, attempt: Pick<AttemptRow, 'deadline'>) {
  if (a.closesAt && (!attempt.deadline || a.closesAt < attempt.deadline)) return a.closesAt
  return attempt.deadline
}

export function createAttemptService(deps: {
  db: Kysely<Database>; access: AccessService; assessments: AssessmentService; graceSeconds: number;
  bankQuestions: (bankId: string, courseId: string) => Promise<StoredQuestion[]>; onSubmitted?: (status: AttemptStatus) => void }) {
  const { db, access, assessments } = deps
  // Submit's assessment questions by id, per assessment version: the read sends them only when the version changed.
  const questionCache = new Map<string, { version: number; byId: Map<string, StoredQuestion> }>()

  function ownQuestions(a: GradingView, cached: { version: number; byId: Map<string, StoredQuestion> } | undefined) {
    if (!a.questions) return cached!.byId
    const byId = new Map(a.questions.map((q) => [q.id, q]))
    questionCache.delete(a.id)
    if (questionCache.size >= QUESTION_CACHE_SIZE) questionCache.delete(questionCache.keys().next().value!)
    questionCache.set(a.id, { version: a.version, byId })
    return byId
  }

  // after_close waits for the grace period too: until then a late submission is still accepted.
  function mayShowAnswers(a: AssessmentRow, attempt: AttemptRow, now: Date) {
    if (attempt.status === 'in_progress') return false
    if (a.showCorrectAnswers === 'after_attempt') return true
    return a.showCorrectAnswers === 'after_close' && a.closesAt !== null && now.getTime() > a.closesAt.getTime() + deps.graceSeconds * 1000
  }

  function toResult(a: AssessmentRow, row: AttemptRow, showAnswers: boolean): AttemptResult {
    const byId = questionsOf(a.questions, row)
    const answers = new Map(row.answers.map((x) => [x.questionId, x]))
    const grades = new Map(row.grades.map((g) => [g.questionId, g]))
    return {
      id: row.id,
      userId: row.userId,
      attemptNumber: row.attemptNumber,
      status: row.status,
      score: row.score,
      passed: row.passed,
      late: row.late,
      startedAt: row.startedAt.toISOString(),
      deadline: row.deadline?.toISOString() ?? null,
      submittedAt: row.submittedAt?.toISOString() ?? null,
      questions: row.drawn.map((d) => {
        const q = byId.get(d.questionId)
        const g = grades.get(d.questionId)
        const answer = answers.get(d.questionId)
        return {
          questionId: d.questionId,
          // A question's points tell whether the answer was right, so they wait for the answers (essays have none).
          points: showAnswers || q?.questionType === 'essay' ? g?.points ?? null : null,
          maxPoints: q?.points ?? 0,
          feedback: g?.feedback ?? null,
          ...(answer?.choiceIds ? { choiceIds: answer.choiceIds } : {}),
          ...(answer?.text !== undefined ? { text: answer.text } : {}),
          ...(showAnswers && q?.choices ? { correctChoiceIds: q.choices.filter((c) => c.isCorrect).map((c) => c.id) } : {}),
          ...(showAnswers && q?.acceptedAnswers ? { acceptedAnswers: q.acceptedAnswers } : {}),
        }
      }),
    }
  }

  return {
    async start(caller: Caller, assessmentId: string, now = new Date()) {
      const { row: a, role } = await assessments.visible(caller, assessmentId)
      if (role !== 'student') throw errors.ASM_ERR_NOT_ENROLLED()
      if ((a.opensAt && now < a.opensAt) || (a.closesAt && now >= a.closesAt)) throw errors.ASM_ERR_NOT_AVAILABLE()
      if (await access.isArchived(a.courseId)) throw errors.ASM_ERR_COURSE_ARCHIVED()
      const bank = a.bankId ? await deps.bankQuestions(a.bankId, a.courseId) : []
      if (a.questions.length + bank.length === 0) throw errors.ASM_ERR_NO_QUESTIONS()
      const drawn = draw(a, bank)
      const row = await db.transaction().execute(async (trx) => {
        await lockUserAssessment(trx, caller.id, a.id)
        const used = await countAttempts(trx, caller.id, a.id)
        if (used >= a.maxAttempts) throw errors.ASM_ERR_MAX_ATTEMPTS()
        return insertAttempt(trx, {
          id: uuidv7(), assessmentId: a.id, userId: caller.id, attemptNumber: used + 1, status: 'in_progress',
          deadline: deadlineOf(a, now), drawn: JSON.stringify(drawn), answers: '[]', grades: '[]', late: false,
        })
      })
      const byId = questionsOf(a.questions, row)
      return {
        id: row.id,
        attemptNumber: row.attemptNumber,
        questions: drawn.map((d) => toStudentQuestion(byId.get(d.questionId)!, d.choiceIds)),
        deadline: row.deadline?.toISOString() ?? null,
      }
    },

    // One read (attempt and assessment), grading in memory, then one statement: the update, which only
    // applies while the attempt is in progress (so a concurrent second submit gets 409), with the outbox insert.
    async submit(caller: Caller, assessmentId: string, input: Submit, now = new Date()): Promise<AttemptOutcome> {
      const cached = questionCache.get(assessmentId)
      const found = await findSubmittable(db, input.attemptId, assessmentId, cached?.version)
      if (!found || found.attempt.userId !== caller.id) throw errors.ASM_ERR_ATTEMPT_NOT_FOUND()
      const { attempt, assessment: a } = found
      if (attempt.status !== 'in_progress') throw errors.ASM_ERR_ALREADY_SUBMITTED()
      const questions = questionsOf(ownQuestions(a, cached), attempt)
      const answers = checkedAnswers(input.answers, questions, attempt.drawn)
      let late = false
      const deadline = effectiveDeadline(a, attempt)
      if (deadline && now > deadline) {
        if (now.getTime() > deadline.getTime() + deps.graceSeconds * 1000) throw errors.ASM_ERR_DEADLINE_PASSED()
        late = true
      }
      const grades: StoredGrade[] = attempt.drawn.map((d) => {
        const q = questions.get(d.questionId) as StoredQuestion
        return { questionId: q.id, points: autoPoints(q, answers.get(q.id)), maxPoints: q.points, feedback: null, manual: false }
      })
      const summary = summarise(grades, a.passingScore)
      const status: AttemptStatus = summary.complete ? 'graded' : 'pending_review'
      const graded = { id: attempt.id, userId: caller.id, attemptNumber: attempt.attemptNumber, status, score: summary.score, passed: summary.passed }
      const events = [createEvent('assessment.submitted', {
        attemptId: attempt.id, assessmentId: a.id, courseId: a.courseId, userId: caller.id, attemptNumber: attempt.attemptNumber,
      }, { source: 'assessment' }), ...gradedEvent(a, graded)]
      const saved = await enqueueWith(db, submissionUpdate(attempt.id, caller.id, {
        status, answers: JSON.stringify([...answers.values()]), grades: JSON.stringify(grades),
        score: summary.score, passed: summary.passed, late, submittedAt: now, gradedAt: summary.complete ? now : null,
      }), events)
      if (!saved) throw errors.ASM_ERR_ALREADY_SUBMITTED()
      deps.onSubmitted?.(status)
      return { attemptId: attempt.id, score: summary.score, passed: summary.passed, status, late }
    },

    async grade(caller: Caller, assessmentId: string, input: Grade): Promise<AttemptOutcome> {
      const { row: a } = await assessments.visible(caller, assessmentId)
      await assessments.requireStaffOf(caller, a.courseId)
      return db.transaction().execute(async (trx) => {
        const attempt = await findAttemptForUpdate(trx, input.attemptId, assessmentId)
        if (!attempt) throw errors.ASM_ERR_ATTEMPT_NOT_FOUND()
        if (attempt.status === 'in_progress') throw errors.ASM_ERR_NOT_SUBMITTED()
        const grades = new Map(attempt.grades.map((g) => [g.questionId, g]))
        for (const g of input.grades) {
          const current = grades.get(g.questionId)
          if (!current) throw errors.ASM_ERR_QUESTION_NOT_IN_ATTEMPT(`question ${g.questionId} is not part of this attempt`)
          if (g.points < 0 || g.points > current.maxPoints) {
            throw errors.ASM_ERR_INVALID_POINTS(`points for question ${g.questionId} must be between 0 and ${current.maxPoints}`)
          }
          grades.set(g.questionId, { ...current, points: round(g.points), feedback: g.feedback ?? current.feedback, manual: true })
        }
        const all = [...grades.values()]
        const summary = summarise(all, a.passingScore)
        const row = await saveAttempt(trx, attempt.id, {
          status: summary.complete ? 'graded' : 'pending_review', grades: JSON.stringify(all),
          score: summary.score, passed: summary.passed, gradedAt: summary.complete ? new Date() : null,
        })
        await enqueue(trx, gradedEvent(a, row))
        return outcome(row)
      })
    },

    async results(caller: Caller, assessmentId: string, now = new Date()) {
      const { row: a, role } = await assessments.visible(caller, assessmentId)
      if (role === 'student') {
        const rows = await listAttempts(db, a.id, caller.id)
        return { items: rows.map((r) => toResult(a, r, mayShowAnswers(a, r, now))) }
      }
      const rows = await listAttempts(db, a.id)
      return { items: rows.map((r) => toResult(a, r, true)), statistics: statistics(a, rows) }
    },
  }
}

function statistics(a: AssessmentRow, rows: AttemptRow[]) {
  const submitted = rows.filter((r) => r.status !== 'in_progress')
  const graded = submitted.filter((r) => r.status === 'graded')
  const mean = (xs: number[]) => (xs.length ? round(xs.reduce((s, x) => s + x, 0) / xs.length) : null)
  return {
    attempts: rows.length,
    gradedAttempts: graded.length,
    averageScore: mean(graded.map((r) => r.score ?? 0)),
    passRate: graded.length ? round(graded.filter((r) => r.passed).length / graded.length) : null,
    questions: [...new Map([...a.questions.map((q) => [q.id, q] as const), ...rows.flatMap((r) => [...questionsOf(a.questions, r)])]).values()].map((q) => {
      const points = submitted.flatMap((r) => r.grades.filter((g) => g.questionId === q.id && g.points !== null).map((g) => g.points as number))
      return {
        questionId: q.id,
        answered: points.length,
        correctRate: points.length ? round(points.filter((p) => p >= q.points).length / points.length) : null,
        averagePoints: mean(points),
      }
    }),
  }
}

export type AttemptService = ReturnType<typeof createAttemptService>
