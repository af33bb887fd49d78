import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { assertNoAnswers, build, outbox, quizBody, type QuestionView } from './helper.js'

t.test('assessments', async (t) => {
  const ctx = await build(t)
  const { app } = ctx
  const { courseId, instructor } = await ctx.course()
  const student = await ctx.enrolledStudent(courseId)

  t.test('the course instructor creates an assessment with questions and ids (201) and it is announced', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.match(body, { courseId, title: 'Week 1 quiz', assessmentType: 'quiz', passingScore: 60, maxAttempts: 2, required: true, version: 1 })
    t.equal(body.questions.length, 5)
    t.ok(body.questions.every((q: QuestionView) => q.id), 'every question gets an id')
    t.same(body.questions[0].choices.map((c: { isCorrect: boolean }) => c.isCorrect), [false, true, false])
    t.same(body.questions[3].acceptedAnswers, ['Paris'])
    t.equal(res.headers.etag, 'W/"1"')
    const events = await outbox(ctx.db)
    t.match(events.find((e) => e.event_type === 'assessment.created')?.envelope.data,
      { assessmentId: body.id, courseId, required: true, title: 'Week 1 quiz', passingScore: 60 })
  })

  t.test('a student cannot create an assessment (403)', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: student.headers, payload: quizBody(courseId) })
    t.equal(res.statusCode, 403)
  })

  t.test('another instructor cannot create an assessment in the course (403)', async (t) => {
    const other = ctx.person('instructor')
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: other.headers, payload: quizBody(courseId) })
    t.equal(res.statusCode, 403)
  })

  t.test('an admin may create an assessment in any course (201)', async (t) => {
    const admin = ctx.person('admin')
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: admin.headers, payload: quizBody(courseId, { required: false }) })
    t.equal(res.statusCode, 201)
  })

  t.test('creating in an unknown course answers 404', async (t) => {
    const admin = ctx.person('admin')
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: admin.headers, payload: quizBody(uuidv7()) })
    t.equal(res.statusCode, 404)
  })

  t.test('a required assessment without questions is refused (422)', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId, { questions: [] }) })
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'ASM_ERR_REQUIRED_WITHOUT_QUESTIONS')
  })

  t.test('an optional assessment without questions is accepted (201)', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId, { questions: [], required: false }) })
    t.equal(res.statusCode, 201)
  })

  t.test('a single choice question with two correct choices is refused (422)', async (t) => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/assessments', headers: instructor.headers,
      payload: quizBody(courseId, { questions: [{ questionType: 'single_choice', text: 'x', points: 1, choices: [{ text: 'a', isCorrect: true }, { text: 'b', isCorrect: true }] }] }),
    })
    t.equal(res.statusCode, 422)
  })

  t.test('unknown body fields are rejected (400)', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: { ...quizBody(courseId), score: 100 } })
    t.equal(res.statusCode, 400)
  })

  t.test('without a token the API answers 401', async (t) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/assessments/course/${courseId}` })
    t.equal(res.statusCode, 401)
  })

  t.test('the instructor sees answers; an enrolled student sees none (200); an outsider gets 404', async (t) => {
    const created = (await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })).json()
    const mine = await app.inject({ method: 'GET', url: `/api/v1/assessments/${created.id}`, headers: instructor.headers })
    t.equal(mine.statusCode, 200)
    t.match(mine.body, /isCorrect/)
    t.match(mine.body, /acceptedAnswers/)

    const theirs = await app.inject({ method: 'GET', url: `/api/v1/assessments/${created.id}`, headers: student.headers })
    t.equal(theirs.statusCode, 200)
    t.equal(theirs.json().questions.length, 5)
    t.equal(theirs.json().questions[0].choices.length, 3)
    assertNoAnswers(t, theirs.json(), 'GET /assessments/:id')

    const list = await app.inject({ method: 'GET', url: `/api/v1/assessments/course/${courseId}`, headers: student.headers })
    t.equal(list.statusCode, 200)
    t.ok(list.json().items.length >= 2)
    t.equal(list.json().nextCursor, null)
    assertNoAnswers(t, list.json(), 'GET /assessments/course/:courseId')

    const staffList = await app.inject({ method: 'GET', url: `/api/v1/assessments/course/${courseId}?limit=1`, headers: instructor.headers })
    t.equal(staffList.json().items.length, 1)
    t.type(staffList.json().nextCursor, 'string')

    const outsider = ctx.person('student')
    const hidden = await app.inject({ method: 'GET', url: `/api/v1/assessments/${created.id}`, headers: outsider.headers })
    t.equal(hidden.statusCode, 404)
    const hiddenList = await app.inject({ method: 'GET', url: `/api/v1/assessments/course/${courseId}`, headers: outsider.headers })
    t.equal(hiddenList.statusCode, 404)
  })

  t.test('editing honours If-Match (412 on a stale version) and announces the change (200)', async (t) => {
    const created = (await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })).json()
    const stale = await app.inject({
      method: 'PUT', url: `/api/v1/assessments/${created.id}`, headers: { ...instructor.headers, 'if-match': 'W/"7"' }, payload: { title: 'Renamed' },
    })
    t.equal(stale.statusCode, 412)
    const ok = await app.inject({
      method: 'PUT', url: `/api/v1/assessments/${created.id}`, headers: { ...instructor.headers, 'if-match': 'W/"1"' }, payload: { title: 'Renamed', passingScore: 80 },
    })
    t.equal(ok.statusCode, 200)
    t.match(ok.json(), { title: 'Renamed', passingScore: 80, version: 2 })
    const events = await outbox(ctx.db)
    t.match(events.filter((e) => e.event_type === 'assessment.updated').at(-1)?.envelope.data, { assessmentId: created.id, title: 'Renamed', passingScore: 80, required: true })
  })

  t.test('an enrolled student cannot edit (403) and an outsider gets 404', async (t) => {
    const created = (await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })).json()
    const byStudent = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${created.id}`, headers: student.headers, payload: { title: 'x' } })
    t.equal(byStudent.statusCode, 403)
    const byOther = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${created.id}`, headers: ctx.person('instructor').headers, payload: { title: 'x' } })
    t.equal(byOther.statusCode, 404)
  })

  t.test('removing every question of a required assessment is refused (422)', async (t) => {
    const created = (await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })).json()
    const res = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${created.id}`, headers: instructor.headers, payload: { questions: [] } })
    t.equal(res.statusCode, 422)
  })

  t.test('once attempts exist, grading fields are locked (409) but the title is not (200)', async (t) => {
    const created = (await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })).json()
    const started = await app.inject({ method: 'POST', url: `/api/v1/assessments/${created.id}/attempts`, headers: student.headers })
    t.equal(started.statusCode, 201)
    const questions = created.questions.slice(0, 2)
    const locked = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${created.id}`, headers: instructor.headers, payload: { questions } })
    t.equal(locked.statusCode, 409)
    const score = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${created.id}`, headers: instructor.headers, payload: { passingScore: 10 } })
    t.equal(score.statusCode, 409)
    const same = await app.inject({ method: 'PUT', url: `/api/v1/assessments/${created.id}`, headers: instructor.headers, payload: { questions: created.questions, title: 'Still editable' } })
    t.equal(same.statusCode, 200, 'resending the same questions changes nothing that grades')
    t.equal(same.json().title, 'Still editable')
  })

  t.test('deleting an assessment (204) announces it and hides it (404)', async (t) => {
    const created = (await app.inject({ method: 'POST', url: '/api/v1/assessments', headers: instructor.headers, payload: quizBody(courseId) })).json()
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/assessments/${created.id}`, headers: instructor.headers })
    t.equal(del.statusCode, 204)
    const gone = await app.inject({ method: 'GET', url: `/api/v1/assessments/${created.id}`, headers: instructor.headers })
    t.equal(gone.statusCode, 404)
    const events = await outbox(ctx.db)
    t.same(events.find((e) => e.event_type === 'assessment.deleted')?.envelope.data, { assessmentId: created.id, courseId, required: true })
  })
})
