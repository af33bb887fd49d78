import t, { type Test } from 'tap'
import { assertNoAnswers, build, correctAnswers, quizBody, type QuestionView } from './helper.js'

interface ResultQuestion { questionId: string; points: number | null; correctChoiceIds?: string[]; acceptedAnswers?: string[] }
interface Results { items: Array<{ id: string; status: string; questions: ResultQuestion[] }> }

t.test('showCorrectAnswers after_close', async (t) => {
  const ctx = await build(t) // SUBMIT_GRACE_SECONDS 60
  const { app } = ctx
  const { courseId, instructor } = await ctx.course()
  const student = await ctx.enrolledStudent(courseId)
  const inAnHour = new Date(Date.now() + 3600_000).toISOString()
  const created = await app.inject({
    method: 'POST', url: '/api/v1/assessments', headers: instructor.headers,
    payload: quizBody(courseId, { showCorrectAnswers: 'after_close', closesAt: inAnHour, maxAttempts: 3 }),
  })
  const quiz = created.json() as { id: string; questions: QuestionView[] }
  const isEssay = (id: string) => quiz.questions.find((q) => q.id === id)?.questionType === 'essay'

  const as = (who: { headers: Record<string, string> }, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) })
  const results = async (t: Test) => {
    const res = await as(student, 'GET', `/api/v1/assessments/${quiz.id}/results`)
    t.equal(res.statusCode, 200)
    return res.json() as Results
  }
  const closeAt = async (t: Test, closesAt: Date) => {
    const res = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${quiz.id}`, headers: instructor.headers, payload: { closesAt: closesAt.toISOString() } })
    t.equal(res.statusCode, 200, 'the instructor moves closesAt')
  }
  /** Every student-facing read, none of which may give an answer away. */
  async function everyReadHidesAnswers(t: Test, label: string) {
    const assessment = await as(student, 'GET', `/api/v1/assessments/${quiz.id}`)
    t.equal(assessment.statusCode, 200)
    assertNoAnswers(t, assessment.json(), `${label}: GET /assessments/{id}`)
    const list = await as(student, 'GET', `/api/v1/assessments/course/${courseId}`)
    t.equal(list.statusCode, 200)
    assertNoAnswers(t, list.json(), `${label}: GET /assessments/course/{courseId}`)
    const mine = await results(t)
    assertNoAnswers(t, mine, `${label}: GET /results`)
    for (const item of mine.items) {
      t.ok(item.questions.every((q) => q.points === null || isEssay(q.questionId)), `${label}: no per-question points (correctness) in /results`)
    }
  }

  t.equal(created.statusCode, 201)
  await t.test('before the window closes nothing a student receives holds correct answers or correctness (201, 200)', async (t) => {
    await everyReadHidesAnswers(t, 'before starting')
    const started = await as(student, 'POST', `/api/v1/assessments/${quiz.id}/attempts`)
    t.equal(started.statusCode, 201)
    assertNoAnswers(t, started.json(), 'POST /attempts')
    await everyReadHidesAnswers(t, 'in progress')

    const answers = correctAnswers(quiz.questions)
    answers[0] = { questionId: quiz.questions[0]!.id, choiceIds: [quiz.questions[0]!.choices!.find((c) => !c.isCorrect)!.id] }
    const submitted = await as(student, 'POST', `/api/v1/assessments/${quiz.id}/submit`, { attemptId: started.json().id, answers })
    t.equal(submitted.statusCode, 200)
    t.same(Object.keys(submitted.json()).sort(), ['attemptId', 'late', 'passed', 'score', 'status'], 'submit answers the outcome only')
    assertNoAnswers(t, submitted.json(), 'POST /submit')
    await everyReadHidesAnswers(t, 'submitted')

    const second = await as(student, 'POST', `/api/v1/assessments/${quiz.id}/attempts`)
    t.equal(second.statusCode, 201)
    assertNoAnswers(t, second.json(), 'POST /attempts (second)')
  })

  await t.test('closed but within the submission grace period: still hidden, and late submissions are still taken (200)', async (t) => {
    await closeAt(t, new Date(Date.now() - 10_000))
    await everyReadHidesAnswers(t, 'within grace')
    const inProgress = (await results(t)).items.find((i) => i.status === 'in_progress')!
    const late = await as(student, 'POST', `/api/v1/assessments/${quiz.id}/submit`, { attemptId: inProgress.id, answers: [] })
    t.equal(late.statusCode, 200)
    t.match(late.json(), { late: true })
    assertNoAnswers(t, late.json(), 'POST /submit (late)')
    await everyReadHidesAnswers(t, 'after a late submission within grace')
  })

  await t.test('once closed and the grace period is over: results show correct answers and points; nothing can be submitted (200, 422)', async (t) => {
    const started = await as(student, 'POST', `/api/v1/assessments/${quiz.id}/attempts`)
    t.equal(started.statusCode, 422, 'no attempt starts after closesAt')
    await closeAt(t, new Date(Date.now() - 120_000))
    const mine = await results(t)
    t.equal(mine.items.length, 2)
    const [first] = mine.items
    t.same(first!.questions.map((q) => q.points), [0, 2, 1, 1, 1], 'per-question points are shown')
    for (const question of quiz.questions) {
      const shown = first!.questions.find((q) => q.questionId === question.id)!
      if (question.choices) t.same(shown.correctChoiceIds, question.choices.filter((c) => c.isCorrect).map((c) => c.id), `${question.text}: correct choices`)
      else t.same(shown.acceptedAnswers, question.acceptedAnswers, `${question.text}: accepted answers`)
    }
    const assessment = await as(student, 'GET', `/api/v1/assessments/${quiz.id}`)
    assertNoAnswers(t, assessment.json(), 'GET /assessments/{id} never carries answers, even after close')
  })

  await t.test('an attempt started before closesAt was moved earlier cannot be submitted after the new close and its grace (422)', async (t) => {
    await closeAt(t, new Date(Date.now() + 3600_000))
    const started = await as(student, 'POST', `/api/v1/assessments/${quiz.id}/attempts`)
    t.equal(started.statusCode, 201)
    await closeAt(t, new Date(Date.now() - 120_000))
    const res = await as(student, 'POST', `/api/v1/assessments/${quiz.id}/submit`, { attemptId: started.json().id, answers: correctAnswers(quiz.questions) })
    t.equal(res.statusCode, 422, 'answers are visible to others now, so no submission may follow')
    t.equal(res.json().code, 'ASM_ERR_DEADLINE_PASSED')
  })
})

t.test('showCorrectAnswers after_close without closesAt never shows answers to a student (200)', async (t) => {
  const ctx = await build(t)
  const { courseId, instructor } = await ctx.course()
  const student = await ctx.enrolledStudent(courseId)
  const quiz = (await ctx.app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId, { showCorrectAnswers: 'after_close' }) })).json()
  const attempt = (await ctx.app.inject({ method: 'POST', url: `/api/v1/assessments/${quiz.id}/attempts`, headers: student.headers })).json()
  const submitted = await ctx.app.inject({ method: 'POST', url: `/api/v1/assessments/${quiz.id}/submit`, headers: student.headers, payload: { attemptId: attempt.id, answers: correctAnswers(quiz.questions) } })
  t.equal(submitted.statusCode, 200)
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/assessments/${quiz.id}/results`, headers: student.headers })
  t.equal(res.statusCode, 200)
  assertNoAnswers(t, res.json(), 'GET /results')
  t.ok((res.json() as Results).items[0]!.questions.every((q) => q.points === null), 'no per-question points')
  const staff = await ctx.app.inject({ method: 'GET', url: `/api/v1/assessments/${quiz.id}/results`, headers: instructor.headers })
  t.ok((staff.json() as Results).items[0]!.questions.every((q) => q.points !== null), 'staff always see points')
})
