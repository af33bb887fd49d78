/**
 * Demo data through the public API (the gateway), idempotently: an admin (from
 * config), instructors and a student to sign in as, then a catalog of
 * categories and published courses (modules, lessons with prerequisites, a
 * required quiz and an optional essay assignment each) and many students
 * enrolled with varied progress and quiz attempts.
 *
 * Idempotent by natural keys: categories by name, courses by code, assessments
 * by title within their course, users by email. Progress and attempts are only
 * made for enrollments this run created, so a second run creates nothing.
 */
export interface Account { role: 'admin' | 'instructor' | 'student'; email: string; password: string }

export interface SeedSize {
  categories: number
  /** Spread over the categories in turn. */
  courses: number
  students: number
  /** Requests in flight at once (registration is bcrypt-bound on the user service). */
  concurrency: number
}

// Four students at a time: registration hashes with bcrypt on the user service's four libuv threads.
export const FULL_SIZE: SeedSize = { categories: 6, courses: 30, students: 200, concurrency: 4 }

export interface SeedOptions {
  base: string
  admin: { email: string; password: string }
  secret: (name: string) => string
  size?: Partial<SeedSize>
  log?: (line: string) => void
}

export interface SeedCounts { users: number; categories: number; courses: number; assessments: number; enrollments: number; progressUpdates: number; attempts: number }

export interface SeedResult {
  accounts: Account[]
  /** What this run created (all zero on a second run). */
  created: SeedCounts
  /** What the demo catalog holds after the run. */
  totals: { categories: number; courses: number; students: number }
  seconds: number
}

interface Response { status: number; body: any; headers: Headers }

const POLL_TRIES = 150
const POLL_EVERY_MS = 200
const STUDENT_DOMAIN = 'students.lms.local'

class Api {
  constructor(private readonly base: string) {}

  /** One request; a 429 or 503 is retried after its Retry-After (a demo loader may wait). */
  async call(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(this.base + path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      })
      const text = await res.text()
      // 429 and 503 (circuit open, upstream unreachable) mean the request was not served: wait and resend.
      if ((res.status === 429 || res.status === 503) && attempt < 20) {
        await sleep(Math.min(Number(res.headers.get('retry-after') ?? '1'), 30) * 1000)
        continue
      }
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
    }
  }

  /** The call, which must answer one of `ok`; anything else is an error naming the request. */
  async expect(ok: number | number[], method: string, path: string, body?: unknown, token?: string): Promise<any> {
    const res = await this.call(method, path, body, token)
    if (!([] as number[]).concat(ok).includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`)
    return res.body
  }

  /**
   * Retries while the answer is 404: another service learns of a course or an
   * enrollment from an event, a moment after the write that caused it.
   */
  async eventually(ok: number | number[], method: string, path: string, body?: unknown, token?: string): Promise<any> {
    for (let i = 0; i < POLL_TRIES; i++) {
      const res = await this.call(method, path, body, token)
      if (([] as number[]).concat(ok).includes(res.status)) return res.body
      if (res.status !== 404) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`)
      await sleep(POLL_EVERY_MS)
    }
    throw new Error(`${method} ${path} still answered 404 after ${(POLL_TRIES * POLL_EVERY_MS) / 1000}s (are the event consumers running?)`)
  }

  /** Every item of a cursor-paged list. */
  async all(path: string, token?: string): Promise<any[]> {
    const items: any[] = []
    let cursor: string | null = null
    do {
      const sep = path.includes('?') ? '&' : '?'
      const page: any = await this.expect(200, 'GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, token)
      items.push(...page.items)
      cursor = page.nextCursor
    } while (cursor)
    return items
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms))
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** A small deterministic PRNG, so every seeded catalog looks the same. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CATALOG: { name: string; description: string; code: string; courses: string[]; tags: string[] }[] = [
  { name: 'Programming', code: 'PRG', description: 'Languages, tools and the craft of writing software.', tags: ['programming', 'software'],
    courses: ['Python for Beginners', 'Modern TypeScript', 'Go in Practice', 'Rust Fundamentals', 'Testing Software Well'] },
  { name: 'Data Science', code: 'DSC', description: 'From raw data to decisions.', tags: ['data', 'statistics'],
    courses: ['Statistics Refresher', 'Data Wrangling with pandas', 'Machine Learning Basics', 'Visualising Data', 'SQL for Analysts'] },
  { name: 'Cloud and DevOps', code: 'OPS', description: 'Running software reliably at scale.', tags: ['cloud', 'devops'],
    courses: ['Linux Essentials', 'Containers from Scratch', 'Kubernetes for Developers', 'Infrastructure as Code', 'Observability in Practice'] },
  { name: 'Design', code: 'DSG', description: 'Interfaces people enjoy using.', tags: ['design', 'ux'],
    courses: ['Design Principles', 'Typography Basics', 'User Research', 'Accessible Interfaces', 'Prototyping'] },
  { name: 'Business', code: 'BUS', description: 'Products, teams and numbers.', tags: ['business', 'management'],
    courses: ['Product Management 101', 'Financial Literacy', 'Leading Small Teams', 'Negotiation Skills', 'Project Planning'] },
  { name: 'Languages', code: 'LNG', description: 'Speak, read and write a new language.', tags: ['languages'],
    courses: ['Spanish A1', 'French Conversation', 'German Grammar', 'Business English', 'Japanese Kana'] },
]
const LEVELS = ['beginner', 'intermediate', 'advanced'] as const
const MODULES = ['Getting started', 'Core ideas', 'Putting it together']
const LESSONS_PER_MODULE = 3

/** The quiz every course gets: its correct answers are known here, so demo students can pass or fail on purpose. */
const QUIZ = [
  { text: 'Which lesson comes first in this course?', correct: 'The introduction', wrong: ['The final project', 'The summary'] },
  { text: 'Lessons with prerequisites open only after those are completed.', correct: 'True', wrong: ['False'] },
  { text: 'How many modules does this course have?', correct: '3', wrong: ['2', '5'] },
]
function quizBody(courseId: string, lessonId: string) {
  return {
    courseId, lessonId, title: 'Final quiz', assessmentType: 'quiz', passingScore: 60, maxAttempts: 3, required: true,
    showCorrectAnswers: 'after_attempt',
    questions: QUIZ.map((q) => ({
      questionType: q.wrong.length === 1 ? 'true_false' : 'single_choice',
      text: q.text,
      points: 1,
      choices: [{ text: q.correct, isCorrect: true }, ...q.wrong.map((text) => ({ text, isCorrect: false }))],
    })),
  }
}
function essayBody(courseId: string) {
  return {
    courseId, title: 'Reflection essay', assessmentType: 'assignment', passingScore: 50, maxAttempts: 1, required: false,
    questions: [{ questionType: 'essay', text: 'What will you do differently after this course? (200 words)', points: 10 }],
  }
}

function courseCode(category: { code: string }, n: number) {
  return `DEMO-${category.code}-${101 + n}`
}

export async function seedDemo(opts: SeedOptions): Promise<SeedResult> {
  const started = Date.now()
  const size: SeedSize = { ...FULL_SIZE, ...opts.size }
  const log = opts.log ?? (() => {})
  const api = new Api(opts.base)
  const created: SeedCounts = { users: 0, categories: 0, courses: 0, assessments: 0, enrollments: 0, progressUpdates: 0, attempts: 0 }

  const adminLogin = await api.call('POST', '/api/v1/auth/login', opts.admin)
  if (adminLogin.status !== 200) throw new Error(`admin login failed (${adminLogin.status}); is ADMIN_EMAIL/ADMIN_PASSWORD the one the user service started with?`)
  const admin: string = adminLogin.body.accessToken

  /** `fresh`: the email is known not to exist, so skip the first sign-in (each costs a bcrypt round). */
  async function signIn(email: string, password: string, fullName: string, fresh = false) {
    // bcrypt is slow on a busy machine: a 504 from the gateway may hide a registration that
    // went through, so sign in again before registering again (bounded).
    for (let attempt = 0; attempt < 5; attempt++) {
      const login = fresh && attempt === 0 ? { status: 401, body: undefined } : await api.call('POST', '/api/v1/auth/login', { email, password })
      if (login.status === 200) return login.body
      if (login.status !== 401 && login.status !== 504) throw new Error(`could not sign in ${email}: ${login.status} ${JSON.stringify(login.body)}`)
      if (login.status === 504) continue
      const registered = await api.call('POST', '/api/v1/auth/register', { email, password, fullName })
      if (registered.status === 201) {
        created.users++
        return registered.body
      }
      if (registered.status !== 504 && registered.status !== 409) throw new Error(`could not create ${email}: ${registered.status} ${JSON.stringify(registered.body)}`)
    }
    throw new Error(`could not sign in or create ${email}: the user service keeps timing out`)
  }

  async function instructor(email: string, password: string, fullName: string) {
    let grant = await signIn(email, password, fullName)
    if (grant.user.role !== 'instructor') {
      await api.expect(200, 'PUT', `/api/v1/users/${grant.user.id}/role`, { role: 'instructor' }, admin)
      // A role change ends the user's sessions: sign in again for a token with the new role.
      grant = await api.expect(200, 'POST', '/api/v1/auth/login', { email, password })
    }
    return grant.accessToken as string
  }

  // Accounts to sign in as.
  const studentPassword = opts.secret('demo-student')
  const accounts: Account[] = [
    { role: 'admin', ...opts.admin },
    { role: 'instructor', email: 'instructor@lms.local', password: opts.secret('demo-instructor') },
    { role: 'student', email: 'student@lms.local', password: studentPassword },
  ]
  const instructorTokens = [await instructor(accounts[1]!.email, accounts[1]!.password, 'Ira Instructor')]
  for (const [n, name] of [[2, 'Noor Nakamura'], [3, 'Tomas Okafor']] as const) {
    instructorTokens.push(await instructor(`instructor${n}@lms.local`, accounts[1]!.password, name))
  }
  await signIn(accounts[2]!.email, studentPassword, 'Sam Student')

  // Categories by name.
  const categories = CATALOG.slice(0, size.categories)
  const existingCategories = new Map((await api.all('/api/v1/categories')).map((c) => [c.name as string, c.id as string]))
  const categoryIds = new Map<string, string>()
  for (const c of categories) {
    let id = existingCategories.get(c.name)
    if (!id) {
      id = (await api.expect(201, 'POST', '/api/v1/categories', { name: c.name, description: c.description }, admin)).id as string
      created.categories++
    }
    categoryIds.set(c.name, id)
  }

  // Courses by code: created, outlined, published, then their assessments.
  const plan = Array.from({ length: size.courses }, (_, i) => {
    const category = categories[i % categories.length]!
    const n = Math.floor(i / categories.length)
    return { i, category, title: category.courses[n % category.courses.length]! + (n >= category.courses.length ? ` ${Math.floor(n / category.courses.length) + 1}` : ''), code: courseCode(category, n) }
  })
  const existingCourses = new Map((await api.all('/api/v1/courses', admin)).map((c) => [String(c.code).toUpperCase(), c]))

  interface SeededCourse { id: string; title: string; lessonIds: string[]; quizId: string }
  const courses = await mapLimit(plan, Math.max(1, Math.min(size.concurrency, 3)), async (p): Promise<SeededCourse> => {
    const owner = instructorTokens[p.i % instructorTokens.length]!
    const rnd = random(p.i + 1)
    let course = existingCourses.get(p.code)
    if (!course) {
      course = await api.expect(201, 'POST', '/api/v1/courses', {
        title: p.title, code: p.code,
        description: `${p.title}: a ${MODULES.length}-module course in ${p.category.name.toLowerCase()} with short lessons and a final quiz.`,
        categoryId: categoryIds.get(p.category.name), tags: p.category.tags, difficultyLevel: LEVELS[p.i % LEVELS.length],
        durationHours: 2 + Math.floor(rnd() * 20), price: p.i % 4 === 0 ? 0 : 19 + Math.floor(rnd() * 80),
        capacity: p.i % 7 === 3 ? 500 : null, language: 'en',
      }, owner)
      created.courses++
    }
    let detail = await api.expect(200, 'GET', `/api/v1/courses/${course.id}`, undefined, admin)
    if (detail.modules.length === 0 && detail.status === 'draft') {
      let previous: string | undefined
      for (const [m, moduleTitle] of MODULES.entries()) {
        const mod = await api.expect(201, 'POST', `/api/v1/courses/${course.id}/modules`, { title: moduleTitle, durationMinutes: 45 }, owner)
        for (let l = 0; l < LESSONS_PER_MODULE; l++) {
          const first = m === 0 && l === 0
          const lesson = await api.expect(201, 'POST', `/api/v1/courses/${course.id}/modules/${mod.id}/lessons`, {
            title: first ? 'The introduction' : `${moduleTitle}, part ${l + 1}`,
            lessonType: l === 1 ? 'video' : 'text',
            content: `<h2>${first ? 'Welcome' : moduleTitle}</h2><p>Read, try the examples, then mark the lesson complete.</p>`,
            ...(l === 1 ? { videoUrl: 'https://videos.lms.local/demo.mp4' } : {}),
            durationMinutes: 10 + l * 5,
            // Each lesson opens after the one before it.
            prerequisiteLessonIds: previous ? [previous] : [],
          }, owner)
          previous = lesson.id
        }
      }
    }
    // A transition that timed out at the gateway (504) may still have happened: the course's status tells.
    const transition = async (action: string, token: string, done: string[]) => {
      const res = await api.call('POST', `/api/v1/courses/${course.id}/${action}`, undefined, token)
      if (res.status === 200) return
      const now = await api.expect(200, 'GET', `/api/v1/courses/${course.id}`, undefined, admin)
      if (!done.includes(now.status)) throw new Error(`${action} of ${p.code} answered ${res.status}: ${JSON.stringify(res.body)}`)
    }
    if (detail.status === 'draft') await transition('submit', owner, ['in_review', 'published'])
    if (detail.status !== 'published') await transition('publish', admin, ['published'])
    detail = await api.expect(200, 'GET', `/api/v1/courses/${course.id}`, undefined, admin)
    const lessonIds: string[] = detail.modules.flatMap((m: any) => m.lessons.map((l: any) => l.id as string))

    // The assessment service learns of the course from course.published; until then its
    // instructor gets 404 (an admin would not: admins are staff of every course id).
    const assessments = await api.eventually(200, 'GET', `/api/v1/assessments/course/${course.id}?limit=100`, undefined, owner)
    const byTitle = new Map<string, any>(assessments.items.map((a: any) => [a.title, a]))
    let quiz = byTitle.get('Final quiz')
    if (!quiz) {
      quiz = await api.expect(201, 'POST', '/api/v1/assessments', quizBody(course.id, lessonIds[lessonIds.length - 1]!), owner)
      created.assessments++
    }
    if (!byTitle.has('Reflection essay')) {
      await api.expect(201, 'POST', '/api/v1/assessments', essayBody(course.id), owner)
      created.assessments++
    }
    return { id: course.id, title: p.title, lessonIds, quizId: quiz.id }
  })
  log(`courses ready: ${courses.length} (${created.courses} new)`)

  // Students by email; existing ones are looked up as the admin, without signing in.
  const existingStudents = new Map((await api.all(`/api/v1/users?q=${STUDENT_DOMAIN}&role=student`, admin)).map((u) => [u.email as string, u.id as string]))
  const studentEmail = (i: number) => `student${String(i + 1).padStart(3, '0')}@${STUDENT_DOMAIN}`
  const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elif', 'Femi', 'Gwen', 'Hiro', 'Ines', 'Jon', 'Kemi', 'Lars', 'Mina', 'Nico', 'Omar', 'Priya']
  const LAST = ['Adams', 'Brown', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen', 'Kim', 'Lopez']

  async function answerQuiz(token: string, quizId: string, pass: boolean) {
    const attempt = await api.eventually(201, 'POST', `/api/v1/assessments/${quizId}/attempts`, undefined, token)
    created.attempts++
    const answers = attempt.questions.map((q: any, i: number) => {
      const known = QUIZ.find((k) => k.text === q.text)!
      // A failing attempt gets only the first question right (1 of 3 < 60 %).
      const want = pass || i === 0 ? known.correct : known.wrong[0]
      return { questionId: q.id, choiceIds: [q.choices.find((c: any) => c.text === want).id] }
    })
    return api.expect(200, 'POST', `/api/v1/assessments/${quizId}/submit`, { attemptId: attempt.id, answers }, token)
  }

  await mapLimit(Array.from({ length: size.students }, (_, i) => i), size.concurrency, async (i) => {
    const email = studentEmail(i)
    const rnd = random(1000 + i)
    const wanted = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => courses[Math.floor(rnd() * courses.length)]!))]
    const existingId = existingStudents.get(email)
    if (existingId) {
      const enrolled = await api.expect(200, 'GET', `/api/v1/enrollments/user/${existingId}?limit=1`, undefined, admin)
      if (enrolled.items.length > 0) return
    }
    const fullName = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`
    const token: string = (await signIn(email, studentPassword, fullName, !existingId)).accessToken
    for (const course of wanted) {
      // The enrollment service learns of the course from course.published.
      const enrollment = await api.eventually(201, 'POST', '/api/v1/enrollments', { courseId: course.id }, token)
      created.enrollments++
      const share = [0, 0.2, 0.5, 0.8, 1][Math.floor(rnd() * 5)]!
      const done = Math.round(share * course.lessonIds.length)
      for (const lessonId of course.lessonIds.slice(0, done)) {
        await api.expect(200, 'PUT', `/api/v1/enrollments/${enrollment.id}/progress`, { lessonId, status: 'completed' }, token)
        created.progressUpdates++
      }
      if (done < course.lessonIds.length && done > 0) {
        await api.expect(200, 'PUT', `/api/v1/enrollments/${enrollment.id}/progress`, { lessonId: course.lessonIds[done]!, status: 'in_progress', completionPercentage: 40 }, token)
        created.progressUpdates++
      }
      if (share >= 0.8) {
        // Some fail the quiz once before passing; some who are not done yet fail and stop there.
        const failsFirst = rnd() < 0.3
        if (failsFirst) await answerQuiz(token, course.quizId, false)
        if (share === 1 || !failsFirst) await answerQuiz(token, course.quizId, share === 1 || rnd() < 0.5)
      }
    }
  })

  const totals = {
    categories: categories.length,
    courses: courses.length,
    students: (await api.all(`/api/v1/users?q=${STUDENT_DOMAIN}&role=student`, admin)).length,
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10
  log(`seeded in ${seconds}s: created ${Object.entries(created).map(([k, v]) => `${v} ${k}`).join(', ')}`)
  return { accounts, created, totals, seconds }
}
