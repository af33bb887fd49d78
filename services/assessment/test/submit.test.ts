import t from 'tap'
import { build, outbox, quizBody, type QuestionView } from './helper.js'

const twentyQuestions = Array.from({ length: 20 }, (_, i) => ({
  questionType: 'single_choice', text: `Question ${i + 1}`, points: 1,
  choices: Array.from({ length: 4 }, (_, c) => ({ text: `Choice ${c + 1}`, isCorrect: c === 0 })),
}))

t.test('submit', async (t) => {
  let statements: string[] | undefined
  const ctx = await build(t, {}, { onQuery: (sql) => statements?.push(sql) })
  const { app, db } = ctx
  const { courseId, instructor } = await ctx.course()
  const quiz = (await app.inject({
    method: 'POST', url: '/api/v1/assessments', headers: instructor.headers,
    payload: quizBody(courseId, { questions: twentyQuestions, shuffleQuestions: true, shuffleChoices: true, maxAttempts: 10 }),
  })).json() as { id: string; questions: QuestionView[] }
  const correct = new Map(quiz.questions.map((q) => [q.id, q.choices!.find((c) => c.isCorrect)!.id]))

  async function started(student: { headers: Record<string, string> }) {
    const res = await app.inject({ method: 'POST', url: `/api/v1/assessments/${quiz.id}/attempts`, headers: student.headers })
    return res.json() as { id: string; questions: QuestionView[] }
  }
  const submit = (student: { headers: Record<string, string> }, payload: object) =>
    app.inject({ method: 'POST', url: `/api/v1/assessments/${quiz.id}/submit`, headers: student.headers, payload })

  t.test('a 20-question submit is two statements: one joined read, then the attempt\'s update with both events\' outbox insert (200)', async (t) => {
    const student = await ctx.enrolledStudent(courseId)
    const attempt = await started(student)
    const answers = attempt.questions.map((q) => ({ questionId: q.id, choiceIds: [correct.get(q.id)!] }))
    statements = []
    const res = await submit(student, { attemptId: attempt.id, answers })
    const sent = statements
    statements = undefined
    t.equal(res.statusCode, 200)
    t.match(res.json(), { score: 100, passed: true, status: 'graded' })
    t.equal(sent.length, 2, sent.join('\n'))
    t.match(sent[0], /^\s*select[\s\S]*join/i, 'the attempt and its assessment are read first, in one joined read')
    t.match(sent[1], /^\s*with written as \(\s*update attempts[\s\S]*insert into outbox/i, 'then one statement: the update and the outbox insert')
    const events = (await outbox(db)).filter((e) => e.envelope.data.attemptId === attempt.id).map((e) => e.event_type)
    t.same(events, ['assessment.submitted', 'assessment.graded'])
  })

  t.test('a submit after the assessment was edited grades against its questions and sends its current title (200)', async (t) => {
    const student = await ctx.enrolledStudent(courseId)
    const before = await started(student)
    const after = await started(student)
    const right = (attempt: { questions: QuestionView[] }) => attempt.questions.map((q) => ({ questionId: q.id, choiceIds: [correct.get(q.id)!] }))
    t.match((await submit(student, { attemptId: before.id, answers: right(before) })).json(), { score: 100 })
    const renamed = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${quiz.id}`, headers: instructor.headers, payload: { title: 'Renamed quiz' } })
    t.equal(renamed.statusCode, 200)
    const res = await submit(student, { attemptId: after.id, answers: right(after) })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { score: 100, passed: true, status: 'graded' })
    const graded = (await outbox(db)).find((e) => e.event_type === 'assessment.graded' && e.envelope.data.attemptId === after.id)
    t.equal(graded?.envelope.data.title, 'Renamed quiz')
  })

  t.test('concurrent submits of one attempt: one is graded (200), every other answers 409 and changes nothing', async (t) => {
    const student = await ctx.enrolledStudent(courseId)
    const attempt = await started(student)
    const right = attempt.questions.map((q) => ({ questionId: q.id, choiceIds: [correct.get(q.id)!] }))
    const wrong = attempt.questions.map((q) => ({ questionId: q.id, choiceIds: [q.choices!.find((c) => c.id !== correct.get(q.id))!.id] }))
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => submit(student, { attemptId: attempt.id, answers: i % 2 ? right : wrong })))
    const codes = results.map((r) => r.statusCode).sort()
    t.same(codes, [200, 409, 409, 409, 409, 409, 409, 409])
    const winner = results.find((r) => r.statusCode === 200)!.json() as { score: number }
    for (const loser of results.filter((r) => r.statusCode === 409)) t.equal(loser.json().code, 'ASM_ERR_ALREADY_SUBMITTED')

    const row = await db.selectFrom('attempts').selectAll().where('id', '=', attempt.id).executeTakeFirstOrThrow()
    t.equal(row.score, winner.score, 'the stored score is the winner\'s')
    const storedRight = row.answers.every((a) => a.choiceIds![0] === correct.get(a.questionId))
    t.equal(storedRight, winner.score === 100, 'the stored answers are the winner\'s')
    const events = (await outbox(db)).filter((e) => e.envelope.data.attemptId === attempt.id)
    t.equal(events.filter((e) => e.event_type === 'assessment.submitted').length, 1, 'one submitted event')
    t.equal(events.filter((e) => e.event_type === 'assessment.graded').length, 1, 'one graded event')

    const later = await submit(student, { attemptId: attempt.id, answers: winner.score === 100 ? wrong : right })
    t.equal(later.statusCode, 409, 'answers cannot be changed after submission')
    const after = await db.selectFrom('attempts').select(['answers', 'score']).where('id', '=', attempt.id).executeTakeFirstOrThrow()
    t.same(after, { answers: row.answers, score: row.score })
  })
})
