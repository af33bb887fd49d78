import t from 'tap'
import { assertNoAnswers, build, type QuestionView } from './helper.js'

const bankQuestions = Array.from({ length: 6 }, (_, i) => ({
  questionType: 'true_false', text: `Statement ${i}`, points: 1,
  choices: [{ text: 'True', isCorrect: i % 2 === 0 }, { text: 'False', isCorrect: i % 2 === 1 }],
}))

t.test('question banks', async (t) => {
  const ctx = await build(t)
  const { app } = ctx
  const { courseId, instructor } = await ctx.course()
  const student = await ctx.enrolledStudent(courseId)

  async function createBank() {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments/banks', headers: instructor.headers, payload: { courseId, title: 'Pool', questions: bankQuestions } })
    t.equal(res.statusCode, 201)
    return res.json() as { id: string; questions: QuestionView[]; version: number }
  }

  t.test('the instructor manages a bank (201, 200, 412, 204); students never see it (404) nor create one (403)', async (t) => {
    const bank = await createBank()
    t.equal(bank.questions.length, 6)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/assessments/banks/${bank.id}`, headers: instructor.headers })).statusCode, 200)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/assessments/banks/${bank.id}`, headers: student.headers })).statusCode, 404)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/assessments/banks/course/${courseId}`, headers: instructor.headers })).json().items.length >= 1, true)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/assessments/banks/course/${courseId}`, headers: student.headers })).statusCode, 404)
    t.equal((await app.inject({ method: 'POST', url: '/api/v1/assessments/banks', headers: student.headers, payload: { courseId, title: 'x', questions: [] } })).statusCode, 403)
    const stale = await app.inject({ method: 'PUT', url: `/api/v1/assessments/banks/${bank.id}`, headers: { ...instructor.headers, 'if-match': 'W/"9"' }, payload: { title: 'New' } })
    t.equal(stale.statusCode, 412)
    const renamed = await app.inject({ method: 'PUT', url: `/api/v1/assessments/banks/${bank.id}`, headers: { ...instructor.headers, 'if-match': 'W/"1"' }, payload: { title: 'New' } })
    t.match(renamed.json(), { title: 'New', version: 2 })
    t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/assessments/banks/${bank.id}`, headers: instructor.headers })).statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/assessments/banks/${bank.id}`, headers: instructor.headers })).statusCode, 404)
  })

  t.test('a required assessment may take all its questions from a bank; each attempt draws N of them and grades them (200)', async (t) => {
    const bank = await createBank()
    const created = await app.inject({
      method: 'POST', url: '/api/v1/assessments', headers: instructor.headers,
      payload: { courseId, title: 'Drawn', required: true, questions: [], bankId: bank.id, questionsPerAttempt: 3, passingScore: 50, maxAttempts: 3 },
    })
    t.equal(created.statusCode, 201)
    t.equal(created.json().bankId, bank.id)
    const quiz = created.json()
    const attempt = (await app.inject({ method: 'POST', url: `/api/v1/assessments/${quiz.id}/attempts`, headers: student.headers })).json()
    t.equal(attempt.questions.length, 3)
    assertNoAnswers(t, attempt, 'attempt drawn from a bank')
    const key = new Map(bank.questions.map((q) => [q.id, q.choices!.find((c) => c.isCorrect)!.id]))
    const answers = attempt.questions.map((q: QuestionView) => ({ questionId: q.id, choiceIds: [key.get(q.id)!] }))
    const res = await app.inject({ method: 'POST', url: `/api/v1/assessments/${quiz.id}/submit`, headers: student.headers, payload: { attemptId: attempt.id, answers } })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { score: 100, passed: true, status: 'graded' })
  })

  t.test('a bank of another course cannot be used (422)', async (t) => {
    const bank = await createBank()
    const other = await ctx.course()
    const res = await app.inject({
      method: 'POST', url: '/api/v1/assessments', headers: ctx.person('admin').headers,
      payload: { courseId: other.courseId, title: 'X', questions: [], bankId: bank.id },
    })
    t.equal(res.statusCode, 422)
  })
})
