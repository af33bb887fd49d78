import t from 'tap'
import { sql } from 'kysely'
import { uuidv7 } from 'uuidv7'
import { assertNoAnswers, build, correctAnswers, outbox, quizBody, type QuestionView } from './helper.js'

t.test('attempts, submission and grading', async (t) => {
  const ctx = await build(t)
  const { app, db } = ctx
  const { courseId, instructor } = await ctx.course()

  async function createQuiz(overrides: Record<string, unknown> = {}) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId, overrides) })
    if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`)
    return res.json() as { id: string; questions: QuestionView[] }
  }
  async function start(assessmentId: string, who: { headers: Record<string, string> }) {
    return app.inject({ method: 'POST', url: `/api/v1/assessments/${assessmentId}/attempts`, headers: who.headers })
  }
  async function submit(assessmentId: string, who: { headers: Record<string, string> }, payload: Record<string, unknown>) {
    return app.inject({ method: 'POST', url: `/api/v1/assessments/${assessmentId}/submit`, headers: who.headers, payload })
  }

  t.test('a student who is not enrolled cannot start an attempt (403)', async (t) => {
    const quiz = await createQuiz()
    const res = await start(quiz.id, ctx.person('student'))
    t.equal(res.statusCode, 404, 'an outsider does not learn the assessment exists')
    const instructorTry = await start(quiz.id, instructor)
    t.equal(instructorTry.statusCode, 403)
    t.equal(instructorTry.json().code, 'ASM_ERR_NOT_ENROLLED')
  })

  t.test('a dropped student cannot start an attempt (403)', async (t) => {
    const quiz = await createQuiz()
    const student = await ctx.enrolledStudent(courseId)
    const { createEvent } = await import('@lms/events')
    await ctx.call('enrollment.dropped', createEvent('enrollment.dropped', { enrollmentId: uuidv7(), userId: student.id, courseId }, { source: 'enrollment' }))
    const res = await start(quiz.id, student)
    t.equal(res.statusCode, 404)
  })

  t.test('an enrolled student starts an attempt (201) and sees no answers', async (t) => {
    const quiz = await createQuiz({ timeLimitMinutes: 30 })
    const student = await ctx.enrolledStudent(courseId)
    const res = await start(quiz.id, student)
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.match(body, { id: String, attemptNumber: 1 })
    t.equal(body.questions.length, 5)
    t.ok(Date.parse(body.deadline) > Date.now() + 29 * 60_000, 'deadline follows the time limit')
    assertNoAnswers(t, body, 'POST /attempts')
  })

  t.test('a correct submission is graded at once (200) and graded/submitted events go to the outbox', async (t) => {
    const quiz = await createQuiz()
    const student = await ctx.enrolledStudent(courseId)
    const attempt = (await start(quiz.id, student)).json()
    const res = await submit(quiz.id, student, { attemptId: attempt.id, answers: correctAnswers(quiz.questions) })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { attemptId: attempt.id, score: 100, passed: true, status: 'graded', late: false })
    assertNoAnswers(t, res.json(), 'POST /submit')
    const events = await outbox(db)
    t.match(events.find((e) => e.event_type === 'assessment.submitted' && e.envelope.data.attemptId === attempt.id)?.envelope.data,
      { assessmentId: quiz.id, courseId, userId: student.id, attemptNumber: 1 })
    t.match(events.find((e) => e.event_type === 'assessment.graded' && e.envelope.data.attemptId === attempt.id)?.envelope.data,
      { assessmentId: quiz.id, courseId, userId: student.id, score: 100, passed: true, attemptNumber: 1, required: true })

    const again = await submit(quiz.id, student, { attemptId: attempt.id, answers: [] })
    t.equal(again.statusCode, 409, 'a second submit of the same attempt is refused')
  })

  t.test('submitting another user\'s attempt answers 404', async (t) => {
    const quiz = await createQuiz()
    const owner = await ctx.enrolledStudent(courseId)
    const other = await ctx.enrolledStudent(courseId)
    const attempt = (await start(quiz.id, owner)).json()
    const res = await submit(quiz.id, other, { attemptId: attempt.id, answers: [] })
    t.equal(res.statusCode, 404)
    const unknown = await submit(quiz.id, owner, { attemptId: uuidv7(), answers: [] })
    t.equal(unknown.statusCode, 404)
  })

  t.test('an answer to a question not in the attempt is refused (422)', async (t) => {
    const quiz = await createQuiz()
    const student = await ctx.enrolledStudent(courseId)
    const attempt = (await start(quiz.id, student)).json()
    const res = await submit(quiz.id, student, { attemptId: attempt.id, answers: [{ questionId: uuidv7(), text: 'x' }] })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'ASM_ERR_QUESTION_NOT_IN_ATTEMPT')
  })

  t.test('a choice id that does not exist is refused (422)', async (t) => {
    const quiz = await createQuiz()
    const student = await ctx.enrolledStudent(courseId)
    const attempt = (await start(quiz.id, student)).json()
    const otherQuestionChoice = quiz.questions[1]!.choices![0]!.id
    const res = await submit(quiz.id, student, { attemptId: attempt.id, answers: [{ questionId: quiz.questions[0]!.id, choiceIds: [otherQuestionChoice] }] })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'ASM_ERR_UNKNOWN_CHOICE')
    const random = await submit(quiz.id, student, { attemptId: attempt.id, answers: [{ questionId: quiz.questions[0]!.id, choiceIds: [uuidv7()] }] })
    t.equal(random.statusCode, 422)
    const ok = await submit(quiz.id, student, { attemptId: attempt.id, answers: [] })
    t.equal(ok.statusCode, 200, 'a refused submission leaves the attempt open')
    t.match(ok.json(), { score: 0, passed: false, status: 'graded' })
  })

  t.test('starting beyond max attempts is refused (409), also when starts race', async (t) => {
    const quiz = await createQuiz({ maxAttempts: 2 })
    const student = await ctx.enrolledStudent(courseId)
    const results = await Promise.all(Array.from({ length: 6 }, () => start(quiz.id, student)))
    const codes = results.map((r) => r.statusCode).sort()
    t.same(codes, [201, 201, 409, 409, 409, 409])
    t.same(results.filter((r) => r.statusCode === 201).map((r) => r.json().attemptNumber).sort(), [1, 2])
    t.equal((await start(quiz.id, student)).statusCode, 409)
  })

  t.test('partial credit, short answer normalisation and numeric tolerance are graded server-side (200)', async (t) => {
    const quiz = await createQuiz()
    const student = await ctx.enrolledStudent(courseId)
    const attempt = (await start(quiz.id, student)).json()
    const [single, multiple, trueFalse, capital, pi] = quiz.questions as [QuestionView, QuestionView, QuestionView, QuestionView, QuestionView]
    const res = await submit(quiz.id, student, {
      attemptId: attempt.id,
      answers: [
        { questionId: single.id, choiceIds: [single.choices![0]!.id] },
        { questionId: multiple.id, choiceIds: [multiple.choices![0]!.id] },
        { questionId: trueFalse.id, choiceIds: [trueFalse.choices![1]!.id] },
        { questionId: capital.id, text: '  pARIS ' },
        { questionId: pi.id, text: '3.145' },
      ],
    })
    t.equal(res.statusCode, 200)
    // 0 + 1 (half of 2) + 1 + 1 + 1 = 4 of 6
    t.match(res.json(), { score: 66.67, passed: true, status: 'graded' })
  })

  t.test('an essay leaves the attempt pending review; manual grading validates points (400) and grades (200); regrading republishes', async (t) => {
    const quiz = await createQuiz({
      passingScore: 50,
      questions: [
        { questionType: 'true_false', text: 'Water is wet', points: 1, choices: [{ text: 'True', isCorrect: true }, { text: 'False', isCorrect: false }] },
        { questionType: 'essay', text: 'Explain', points: 4 },
      ],
    })
    const student = await ctx.enrolledStudent(courseId)
    const attempt = (await start(quiz.id, student)).json()
    const [tf, essay] = quiz.questions as [QuestionView, QuestionView]
    const res = await submit(quiz.id, student, { attemptId: attempt.id, answers: [{ questionId: tf.id, choiceIds: [tf.choices![0]!.id] }, { questionId: essay.id, text: 'Because.' }] })
    t.match(res.json(), { status: 'pending_review', passed: false, score: 20 })
    t.notOk((await outbox(db)).some((e) => e.event_type === 'assessment.graded' && e.envelope.data.attemptId === attempt.id), 'no graded event yet')

    const grade = (grades: unknown[], who = instructor) => app.inject({ method: 'PUT', url: `/api/v1/assessments/${quiz.id}/grade`, headers: who.headers, payload: { attemptId: attempt.id, grades } })
    t.equal((await grade([{ questionId: essay.id, points: -1 }])).statusCode, 400, 'negative points')
    t.equal((await grade([{ questionId: essay.id, points: 5 }])).statusCode, 400, 'above the maximum')
    t.equal((await grade([{ questionId: essay.id, points: 1 }], student)).statusCode, 403, 'a student cannot grade')
    t.equal((await grade([{ questionId: uuidv7(), points: 1 }])).statusCode, 422, 'a question not in the attempt')

    const graded = await grade([{ questionId: essay.id, points: 1, feedback: 'Too short' }])
    t.equal(graded.statusCode, 200)
    t.same(graded.json(), { attemptId: attempt.id, score: 40, passed: false, status: 'graded', late: false })
    const regraded = await grade([{ questionId: essay.id, points: 3, feedback: 'Reconsidered' }])
    t.match(regraded.json(), { score: 80, passed: true, status: 'graded' })
    const gradedEvents = (await outbox(db)).filter((e) => e.event_type === 'assessment.graded' && e.envelope.data.attemptId === attempt.id)
    t.same(gradedEvents.map((e) => [e.envelope.data.score, e.envelope.data.passed]), [[40, false], [80, true]])

    const results = await app.inject({ method: 'GET', url: `/api/v1/assessments/${quiz.id}/results`, headers: student.headers })
    t.equal(results.statusCode, 200)
    t.match(results.json().items[0].questions[1], { questionId: essay.id, points: 3, maxPoints: 4, feedback: 'Reconsidered', text: 'Because.' })
    t.equal(results.json().statistics, undefined)
    assertNoAnswers(t, results.json(), 'GET /results (never)')
  })

  t.test('grading an attempt that was not submitted is refused (409)', async (t) => {
    const quiz = await createQuiz()
    const student = await ctx.enrolledStudent(courseId)
    const attempt = (await start(quiz.id, student)).json()
    const res = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${quiz.id}/grade`, headers: instructor.headers, payload: { attemptId: attempt.id, grades: [{ questionId: quiz.questions[0]!.id, points: 1 }] } })
    t.equal(res.statusCode, 409)
  })

  t.test('past the deadline a submission is accepted as late within the grace period and refused after it (422)', async (t) => {
    const quiz = await createQuiz({ timeLimitMinutes: 5, maxAttempts: 2 })
    const student = await ctx.enrolledStudent(courseId)
    const late = (await start(quiz.id, student)).json()
    await db.updateTable('attempts').set({ deadline: sql<Date>`now() - interval '10 seconds'` }).where('id', '=', late.id).execute()
    const accepted = await submit(quiz.id, student, { attemptId: late.id, answers: correctAnswers(quiz.questions) })
    t.equal(accepted.statusCode, 200)
    t.match(accepted.json(), { late: true, score: 100 })

    const tooLate = (await start(quiz.id, student)).json()
    await db.updateTable('attempts').set({ deadline: sql<Date>`now() - interval '10 minutes'` }).where('id', '=', tooLate.id).execute()
    const refused = await submit(quiz.id, student, { attemptId: tooLate.id, answers: [] })
    t.equal(refused.statusCode, 422)
    t.equal(refused.json().code, 'ASM_ERR_DEADLINE_PASSED')
  })

  t.test('outside the availability window an attempt cannot start (422)', async (t) => {
    const quiz = await createQuiz({ opensAt: new Date(Date.now() + 3600_000).toISOString() })
    const student = await ctx.enrolledStudent(courseId)
    const res = await start(quiz.id, student)
    t.equal(res.statusCode, 422)
    const closed = await createQuiz({ closesAt: new Date(Date.now() - 3600_000).toISOString(), opensAt: new Date(Date.now() - 7200_000).toISOString() })
    t.equal((await start(closed.id, student)).statusCode, 422)
  })

  t.test('shuffled attempts store the drawn order; N questions are drawn per attempt (201)', async (t) => {
    const quiz = await createQuiz({ shuffleQuestions: true, shuffleChoices: true, questionsPerAttempt: 3 })
    const student = await ctx.enrolledStudent(courseId)
    const attempt = (await start(quiz.id, student)).json()
    t.equal(attempt.questions.length, 3)
    const row = await db.selectFrom('attempts').selectAll().where('id', '=', attempt.id).executeTakeFirstOrThrow()
    t.same(row.drawn.map((d) => d.questionId), attempt.questions.map((q: QuestionView) => q.id))
    for (const [i, q] of (attempt.questions as QuestionView[]).entries()) {
      if (q.choices) t.same(row.drawn[i]!.choiceIds, q.choices.map((c) => c.id))
    }
    const notDrawn = quiz.questions.find((q) => !attempt.questions.some((a: QuestionView) => a.id === q.id))!
    const res = await submit(quiz.id, student, { attemptId: attempt.id, answers: [{ questionId: notDrawn.id, text: 'x' }] })
    t.equal(res.statusCode, 422, 'a question of the assessment that was not drawn is not in the attempt')
  })

  t.test('results: students see only their own attempts; staff see all with item statistics (200)', async (t) => {
    const quiz = await createQuiz({ showCorrectAnswers: 'after_attempt' })
    const good = await ctx.enrolledStudent(courseId)
    const poor = await ctx.enrolledStudent(courseId)
    const a1 = (await start(quiz.id, good)).json()
    await submit(quiz.id, good, { attemptId: a1.id, answers: correctAnswers(quiz.questions) })
    const a2 = (await start(quiz.id, poor)).json()
    await submit(quiz.id, poor, { attemptId: a2.id, answers: [] })

    const mine = await app.inject({ method: 'GET', url: `/api/v1/assessments/${quiz.id}/results`, headers: poor.headers })
    t.equal(mine.statusCode, 200)
    t.equal(mine.json().items.length, 1)
    t.match(mine.json().items[0], { id: a2.id, userId: poor.id, score: 0, passed: false })
    t.ok(mine.json().items[0].questions[0].correctChoiceIds, 'after_attempt shows the correct answers once submitted')

    const staff = await app.inject({ method: 'GET', url: `/api/v1/assessments/${quiz.id}/results`, headers: instructor.headers })
    t.equal(staff.statusCode, 200)
    t.equal(staff.json().items.length, 2)
    t.match(staff.json().statistics, { attempts: 2, gradedAttempts: 2, averageScore: 50, passRate: 0.5 })
    t.same(staff.json().statistics.questions.map((q: { correctRate: number }) => q.correctRate), [0.5, 0.5, 0.5, 0.5, 0.5])

    const outsider = await app.inject({ method: 'GET', url: `/api/v1/assessments/${quiz.id}/results`, headers: ctx.person('student').headers })
    t.equal(outsider.statusCode, 404)
  })

  t.test('an in-progress attempt in results shows no correct answers even with after_attempt', async (t) => {
    const quiz = await createQuiz({ showCorrectAnswers: 'after_attempt' })
    const student = await ctx.enrolledStudent(courseId)
    await start(quiz.id, student)
    const res = await app.inject({ method: 'GET', url: `/api/v1/assessments/${quiz.id}/results`, headers: student.headers })
    t.equal(res.statusCode, 200)
    assertNoAnswers(t, res.json(), 'GET /results (in progress)')
  })

  t.test('attempts cannot start once the course is archived (422)', async (t) => {
    const other = await ctx.course()
    const student = await ctx.enrolledStudent(other.courseId)
    const quiz = (await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: other.instructor.headers, payload: quizBody(other.courseId) })).json()
    const { createEvent } = await import('@lms/events')
    await ctx.call('course.archived', createEvent('course.archived', { courseId: other.courseId }, { source: 'course' }))
    const res = await start(quiz.id, student)
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'ASM_ERR_COURSE_ARCHIVED')
  })

  t.test('submissions are counted in /metrics by status (200)', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    t.equal(res.statusCode, 200)
    t.match(res.body, /lms_assessment_attempts_submitted_total\{[^}]*status="graded"[^}]*\} [1-9]/)
    t.match(res.body, /lms_assessment_attempts_submitted_total\{[^}]*status="pending_review"[^}]*\} [1-9]/)
  })
})
