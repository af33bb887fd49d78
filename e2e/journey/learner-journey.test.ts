/**
 * The learner journey of issue 9, told as four stories that follow one another
 * on one platform (every service in this process on real servers, events on a
 * random exchange of this file), driven through the gateway with @lms/client; story 4 also
 * asks each service directly, as a caller inside the cluster would.
 */
import t from 'tap'
import { LmsProblemError, collect, memoryTokenStorage, type Assessment, type LmsClient, type Notification, type TokenStorage } from '@lms/client'
import { buildPlatform, email, eventually, password } from './stack.js'

t.test('learner journey through the gateway', async (t) => {
  const platform = await buildPlatform(t)
  const admin = platform.client()
  await admin.auth.login(platform.admin)

  // Shared by the stories, filled as they go.
  const s = {} as {
    instructor: LmsClient; instructorId: string
    student: LmsClient; studentTokens: TokenStorage; studentId: string; studentEmail: string
    courseId: string; courseTitle: string; lessonIds: string[]
    quiz: Assessment; essay: Assessment
    enrollmentId: string; verificationCode: string
    live: Notification[]; lastSeen: string; stream: ReturnType<LmsClient['notifications']['stream']>; streamStop: AbortController
  }

  await t.test('story 1: an admin makes an instructor, who builds a course with assessments that the admin publishes', async (t) => {
    const instructorEmail = email('ines')
    const signup = platform.client()
    const grant = await signup.auth.register({ email: instructorEmail, password, fullName: 'Ines Instructor' })
    s.instructorId = grant.user.id
    const promoted = await admin.users.setRole(s.instructorId, 'instructor')
    t.equal(promoted.role, 'instructor', 'the admin grants the instructor role')
    const stale = await signup.users.profile().catch((e: unknown) => e)
    t.ok(stale instanceof LmsProblemError && stale.status === 401, 'the old session ended with the role change (401)')

    s.instructor = platform.client()
    await s.instructor.auth.login({ email: instructorEmail, password })
    const category = await s.instructor.categories.create({ name: `Distributed Systems ${Date.now()}` })
    s.courseTitle = `Consensus in practice ${Date.now()}`
    const created = await s.instructor.courses.create({
      title: s.courseTitle, code: `CONS${Date.now().toString(36)}`.toUpperCase().slice(0, 30),
      description: 'Raft and Paxos, with exercises', categoryId: category.id, tags: ['consensus'], difficultyLevel: 'intermediate',
    })
    t.equal(created.status, 'draft')
    s.courseId = created.id

    // Three modules, four lessons, each lesson requiring the one before it.
    s.lessonIds = []
    for (const [title, lessons] of [['Foundations', 2], ['Raft', 1], ['Paxos', 1]] as const) {
      const module = await s.instructor.courses.modules.create(s.courseId, { title, durationMinutes: 60 })
      for (let i = 0; i < lessons; i++) {
        const previous = s.lessonIds.at(-1)
        const lesson = await s.instructor.courses.lessons.create(s.courseId, module.id, {
          title: `${title} ${i + 1}`, content: `<p>${title} part ${i + 1}</p>`, durationMinutes: 15,
          ...(previous ? { prerequisiteLessonIds: [previous] } : {}),
        })
        s.lessonIds.push(lesson.id)
      }
    }
    const outline = await s.instructor.courses.modules.outline(s.courseId)
    t.equal(outline.modules.length, 3)
    t.same(outline.modules.flatMap((m) => m.lessons.map((l) => l.id)), s.lessonIds)

    // The assessment service learns the draft (and its instructor) from course.created; until that event
    // arrives it answers 404 ASM_ERR_COURSE_NOT_FOUND.
    s.quiz = await eventually('assessment service learns the draft course', () => s.instructor.assessments.create({
      courseId: s.courseId, title: 'Raft quiz', assessmentType: 'quiz', passingScore: 60, maxAttempts: 3, required: true,
      showCorrectAnswers: 'never',
      questions: [
        { questionType: 'single_choice', text: 'Who may commit an entry?', points: 1, choices: [{ text: 'Any follower', isCorrect: false }, { text: 'The leader', isCorrect: true }] },
        { questionType: 'true_false', text: 'Raft needs a majority to elect a leader', points: 1, choices: [{ text: 'True', isCorrect: true }, { text: 'False', isCorrect: false }] },
      ],
    }))
    t.equal(s.quiz.required, true)
    s.essay = await s.instructor.assessments.create({
      courseId: s.courseId, title: 'Paxos essay', assessmentType: 'assignment', passingScore: 50, maxAttempts: 1, required: true,
      questions: [{ questionType: 'essay', text: 'Explain why Paxos is safe.', points: 10 }],
    })
    t.equal(s.essay.assessmentType, 'assignment')
    const listed = await collect(s.instructor.assessments.iterateCourse(s.courseId))
    t.same(listed.map((a) => a.id).sort(), [s.quiz.id, s.essay.id].sort(), 'both assessments belong to the course')

    const submitted = await s.instructor.courses.submit(s.courseId)
    t.equal(submitted.status, 'in_review', 'submitted for review')
    const selfPublish = await s.instructor.courses.publish(s.courseId).catch((e: unknown) => e)
    t.ok(selfPublish instanceof LmsProblemError && selfPublish.status >= 400, 'the instructor cannot publish past review')
    const published = await admin.courses.publish(s.courseId)
    t.equal(published.status, 'published', 'the admin publishes it')
  })

  await t.test('story 2: a student finds the course, enrolls, is told three ways, and progresses in order with milestones', async (t) => {
    s.studentEmail = email('sam')
    s.studentTokens = memoryTokenStorage()
    s.student = platform.client(s.studentTokens)
    s.studentId = (await s.student.auth.register({ email: s.studentEmail, password, fullName: 'Sam Student' })).user.id

    const hit = await eventually('the course is searchable', async () => {
      const found = await s.student.courses.search({ q: 'Consensus practice' })
      return found.items.find((c) => c.id === s.courseId)
    })
    t.equal(hit.title, s.courseTitle, 'found by search')
    const catalogue = await collect(platform.client().courses.iterate({ difficultyLevel: 'intermediate', limit: 1 }))
    t.same(catalogue.map((c) => c.id), [s.courseId], 'and by browsing the public catalogue page by page')

    s.live = []
    s.streamStop = new AbortController()
    s.stream = s.student.notifications.stream({ onNotification: (n) => s.live.push(n), signal: s.streamStop.signal })
    await s.stream.opened

    // The enrollment service learns of the course from course.published; until then it answers 404.
    const enrollment = await eventually('enrollment service learns the course', () => s.student.enrollments.create({ courseId: s.courseId }))
    t.equal(enrollment.status, 'active')
    s.enrollmentId = enrollment.id

    const confirmed = (n: Notification) => n.type === 'enrollment_confirmed' && n.data.courseId === s.courseId
    const inApp = await eventually('in-app confirmation', async () => (await s.student.notifications.mine()).items.find(confirmed))
    t.match(inApp.title, s.courseTitle, 'in-app confirmation names the course')
    await eventually('confirmation on the open stream', () => s.live.find(confirmed))
    t.pass('the open stream delivered the confirmation')
    const mail = await eventually('confirmation email', () => platform.smtp.received.find((m) => m.to === s.studentEmail && m.subject.includes('You are enrolled in')))
    t.match(mail.raw, /Sam Student/, 'the email greets the student by name')

    const jump = await s.student.enrollments.progress(s.enrollmentId, { lessonId: s.lessonIds[2]!, status: 'completed' }).catch((e: unknown) => e)
    t.ok(jump instanceof LmsProblemError, 'skipping ahead is refused')
    t.equal((jump as LmsProblemError).status, 422)
    t.same((jump as LmsProblemError).problem.missingLessonIds, [s.lessonIds[1]], 'the missing prerequisite is named')

    const percentages: number[] = []
    for (const lessonId of s.lessonIds) {
      const detail = await s.student.enrollments.progress(s.enrollmentId, { lessonId, status: 'completed' })
      percentages.push(detail.progressPercentage)
    }
    t.same(percentages, [25, 50, 75, 100], 'each lesson is a quarter of the course')
    const milestones = await eventually('three milestone notifications', async () => {
      const items = (await s.student.notifications.mine({ limit: 100 })).items.filter((n) => n.type === 'progress_milestone')
      return items.length >= 3 ? items : undefined
    })
    t.same(milestones.map((n) => Number(n.data.milestone)).sort((a, b) => a - b), [25, 50, 75], 'one notification per milestone, none for 100 %')
    const afterLessons = await s.student.enrollments.get(s.enrollmentId)
    t.equal(afterLessons.status, 'active', 'not complete while required assessments are open')
    await eventually('milestones on the stream', () => s.live.filter((n) => n.type === 'progress_milestone').length >= 3)
    // The tab closes; what happens next is replayed from Last-Event-ID when it comes back (story 3).
    s.streamStop.abort()
    await s.stream.closed
    s.lastSeen = s.stream.lastEventId!
    t.ok(s.lastSeen, 'the stream remembers the last event id')
  })

  await t.test('story 3: the student fails and then passes the quiz, the essay is graded, a certificate is issued', async (t) => {
    const first = await eventually('assessment service knows the enrollment', () => s.student.assessments.startAttempt(s.quiz.id))
    t.notOk(JSON.stringify(first.questions).includes('isCorrect'), 'a student never sees the answers')
    const staffView = await s.instructor.assessments.get(s.quiz.id)
    const right = (questionId: string) => staffView.questions.find((q) => q.id === questionId)!.choices!.find((c) => c.isCorrect)!.id
    const wrong = (questionId: string) => staffView.questions.find((q) => q.id === questionId)!.choices!.find((c) => !c.isCorrect)!.id

    const failed = await s.student.assessments.submit(s.quiz.id, { attemptId: first.id, answers: first.questions.map((q) => ({ questionId: q.id, choiceIds: [wrong(q.id)] })) })
    t.match(failed, { passed: false, status: 'graded' }, 'first attempt fails')
    const second = await s.student.assessments.startAttempt(s.quiz.id)
    t.equal(second.attemptNumber, 2, 'a retry is allowed')
    const passed = await s.student.assessments.submit(s.quiz.id, { attemptId: second.id, answers: second.questions.map((q) => ({ questionId: q.id, choiceIds: [right(q.id)] })) })
    t.match(passed, { passed: true, score: 100 }, 'second attempt passes')

    const essayAttempt = await s.student.assessments.startAttempt(s.essay.id)
    const pending = await s.student.assessments.submit(s.essay.id, { attemptId: essayAttempt.id, answers: [{ questionId: essayAttempt.questions[0]!.id, text: 'Because any two majorities intersect.' }] })
    t.equal(pending.status, 'pending_review', 'the essay waits for a human')
    const graded = await s.instructor.assessments.grade(s.essay.id, { attemptId: essayAttempt.id, grades: [{ questionId: essayAttempt.questions[0]!.id, points: 8, feedback: 'Good' }] })
    t.match(graded, { status: 'graded', passed: true }, 'the instructor grades the essay')

    const completed = await eventually('enrollment completes', async () => {
      const e = await s.student.enrollments.get(s.enrollmentId)
      return e.status === 'completed' ? e : undefined
    })
    t.equal(completed.progressPercentage, 100)
    t.ok(completed.completedAt, 'completion time recorded')

    const certificate = await eventually('certificate issued', () => s.student.certificates.get(s.enrollmentId))
    t.equal(certificate.courseTitle, s.courseTitle)
    t.equal(certificate.userId, s.studentId, 'issued to the student')
    t.equal(certificate.holderName, 'Sam Student', 'in the name the student registered with')
    s.verificationCode = certificate.verificationCode
    const pdf = await s.student.certificates.pdf(s.enrollmentId)
    t.equal(new TextDecoder().decode(pdf.slice(0, 5)), '%PDF-', 'downloadable as PDF')
    const verified = await platform.client().certificates.verify(s.verificationCode)
    t.match(verified, { valid: true, courseId: s.courseId, courseTitle: s.courseTitle, verificationCode: s.verificationCode, holderName: 'Sam Student' }, 'verifiable publicly by code, with the holder\'s name')

    await eventually('certificate notification', async () => (await s.student.notifications.mine({ limit: 100 })).items.find((n) => n.type === 'certificate_issued'))
    t.pass('the student is told about the certificate')

    const replayed: Notification[] = []
    const resume = new AbortController()
    const stream = s.student.notifications.stream({ lastEventId: s.lastSeen, onNotification: (n) => replayed.push(n), signal: resume.signal })
    await eventually('missed notifications replayed', () => replayed.some((n) => n.type === 'certificate_issued'))
    t.ok(replayed.every((n) => n.id > s.lastSeen), 'a stream resumed with Last-Event-ID replays only what came after')
    t.ok(replayed.some((n) => n.type === 'course_completed'), 'including the completion sent while no stream was open')
    resume.abort()
    await stream.closed
  })

  await t.test('story 4: the instructor reads roster and statistics; the student deletes the account and every service forgets them', async (t) => {
    const roster = await collect(s.instructor.enrollments.iterateCourse(s.courseId))
    t.same(roster.map((e) => e.userId), [s.studentId], 'the roster lists the student')
    t.match(await s.instructor.enrollments.stats(s.courseId), { enrolled: 1, completed: 1, completionRate: 1 }, 'enrollment statistics')
    const results = await s.instructor.assessments.results(s.quiz.id)
    t.equal(results.items.length, 2, 'both attempts in the results')
    t.equal(results.statistics?.questions.length, 2, 'item analysis per question')
    t.ok(results.statistics!.questions.every((q) => q.answered === 2 && q.correctRate === 0.5), 'each question answered twice, right once')

    // Each service also checks the session itself, for callers that reach it without the gateway.
    const { accessToken } = (await s.studentTokens.get())!
    const direct = Object.entries({
      course: `${platform.services.course}/api/v1/courses/${s.courseId}`,
      enrollment: `${platform.services.enrollment}/api/v1/enrollments/me`,
      assessment: `${platform.services.assessment}/api/v1/assessments/${s.quiz.id}`,
      notification: `${platform.services.notification}/api/v1/notifications/me`,
    })
    const statuses = () => Promise.all(direct.map(async ([name, url]) => `${name} ${(await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } })).status}`))
    t.same(await statuses(), direct.map(([name]) => `${name} 200`), 'before: every service serves the student\'s token directly')

    await s.student.users.delete(s.studentId)
    const gone = await s.student.users.profile().catch((e: unknown) => e)
    t.ok(gone instanceof LmsProblemError && gone.status === 401, 'the deleted account\'s session ended (401)')
    const refused = direct.map(([name]) => `${name} 401`)
    t.same(await eventually('every service refuses the ended session', async () => {
      const now = await statuses()
      return now.join() === refused.join() ? now : undefined
    }, 20), refused, 'and every service refuses the token directly (within 2 s, the announcement crossing Redis)')

    const userLookup = await admin.users.get(s.studentId).catch((e: unknown) => e)
    t.ok(userLookup instanceof LmsProblemError && userLookup.status === 404, 'user service: the account is gone')
    await eventually('enrollment service anonymises', async () => (await admin.enrollments.ofUser(s.studentId)).items.length === 0)
    const anonymisedRoster = await collect(s.instructor.enrollments.iterateCourse(s.courseId))
    t.equal(anonymisedRoster.length, 1, 'enrollment service: the enrollment stays for statistics')
    t.not(anonymisedRoster[0]!.userId, s.studentId, 'enrollment service: but no longer points at the person')
    await eventually('assessment service anonymises', async () => (await s.instructor.assessments.results(s.quiz.id)).items.every((a) => a.userId !== s.studentId))
    t.pass('assessment service: attempts no longer carry the person\'s id')
    await eventually('notification service erases', async () => (await admin.notifications.ofUser(s.studentId)).items.length === 0)
    t.pass('notification service: the person\'s notifications are erased')

    const verified = await eventually('certificate anonymised', async () => {
      const v = await platform.client().certificates.verify(s.verificationCode)
      return v.holderName === null ? v : undefined
    })
    t.match(verified, { valid: true, courseId: s.courseId, courseTitle: s.courseTitle, holderName: null }, 'the certificate still verifies, without the holder\'s name')
    t.notOk(JSON.stringify(verified).includes('Sam'), 'without personal data')
    t.notOk(JSON.stringify(verified).includes(s.studentId), 'and without the user id')
  })
})
