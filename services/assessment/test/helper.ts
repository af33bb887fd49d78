import type { Test } from 'tap'
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { uuidv7 } from 'uuidv7'
import { createPostgres, migrateToLatest } from '@lms/kit'
import { createTestDatabase, generateSigningKey, signTestToken, type TestSigningKey } from '@lms/kit/testing'
import { createEvent } from '@lms/events'
import { buildApp, type AppConfig } from '../src/app.js'
import type { Database } from '../src/database.js'
import { migrations } from '../src/migrations/index.js'
import { subscriptionHandlers } from '../src/subscriptions/handlers.js'

export const testConfig: AppConfig = { LOG_LEVEL: 'silent' as never, SUBMIT_GRACE_SECONDS: 60 }

/**
 * The assessment service on its own schema and role, migrated, torn down after the test.
 * `onQuery` sees every statement sent to PostgreSQL, `begin` and `commit` included.
 */
export async function build(t: Test, config: Partial<AppConfig> = {}, opts: { onQuery?: (sql: string) => void } = {}) {
  const database = await createTestDatabase(t, 'assess')
  const { onQuery } = opts
  const db = onQuery
    // createPostgres's settings, plus Kysely's query log (createPostgres takes no log option).
    ? new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 8, options: `-c search_path=${database.schema}` }) }),
      plugins: [new CamelCasePlugin()],
      log: (event) => { if (event.level === 'query') onQuery(event.query.sql) },
    })
    : createPostgres<Database>({ url: database.url, schema: database.schema, max: 8 })
  await migrateToLatest(db, { schema: database.schema, migrations })
  const key = generateSigningKey()
  const app = await buildApp({
    config: { ...testConfig, ...config }, db,
    auth: { jwks: { keys: { keys: [key.publicJwk] } }, issuer: 'lms-user-service', audience: 'lms' },
  })
  t.teardown(async () => {
    await app.close()
    await db.destroy()
  })
  const handlers = subscriptionHandlers(db)
  return { app, db, key, handlers, database, ...fixtures(db, key, handlers) }
}

type Handlers = ReturnType<typeof subscriptionHandlers>

function fixtures(_db: unknown, key: TestSigningKey, handlers: Handlers) {
  const call = (type: keyof Handlers, event: unknown) =>
    (handlers[type]![1] as (e: unknown, ctx: never) => Promise<unknown>)(event, {} as never)

  function person(role: 'student' | 'instructor' | 'admin') {
    const id = uuidv7()
    const token = signTestToken(key, { sub: id, role, sid: uuidv7() })
    return { id, role, headers: { authorization: `Bearer ${token}` } }
  }

  /** A published course taught by a fresh instructor, as the course service would announce it. */
  async function course() {
    const instructor = person('instructor')
    const courseId = uuidv7()
    await call('course.published', createEvent('course.published', {
      courseId, version: 1, title: 'Algebra', instructorId: instructor.id, capacity: null, status: 'published',
      modules: [], requiredAssessmentIds: [],
    }, { source: 'course' }))
    return { courseId, instructor }
  }

  async function enrolledStudent(courseId: string) {
    const student = person('student')
    await call('enrollment.created', createEvent('enrollment.created',
      { enrollmentId: uuidv7(), userId: student.id, courseId }, { source: 'enrollment' }))
    return student
  }

  return { person, course, enrolledStudent, call }
}

/** A quiz with one question of each objective type plus an essay when asked. */
export function quizBody(courseId: string, overrides: Record<string, unknown> = {}) {
  return {
    courseId,
    title: 'Week 1 quiz',
    assessmentType: 'quiz',
    passingScore: 60,
    maxAttempts: 2,
    required: true,
    questions: [
      { questionType: 'single_choice', text: '2 + 2?', points: 1, choices: [{ text: '3', isCorrect: false }, { text: '4', isCorrect: true }, { text: '5', isCorrect: false }] },
      { questionType: 'multiple_choice', text: 'Primes?', points: 2, partialCredit: true, choices: [{ text: '2', isCorrect: true }, { text: '3', isCorrect: true }, { text: '4', isCorrect: false }] },
      { questionType: 'true_false', text: 'The sky is green', points: 1, choices: [{ text: 'True', isCorrect: false }, { text: 'False', isCorrect: true }] },
      { questionType: 'short_answer', text: 'Capital of France?', points: 1, acceptedAnswers: ['Paris'] },
      { questionType: 'short_answer', text: 'Pi to two decimals?', points: 1, acceptedAnswers: ['3.14'], numericTolerance: 0.01 },
    ],
    ...overrides,
  }
}

export interface QuestionView { id: string; questionType: string; points: number; text: string; choices?: Array<{ id: string; text: string; isCorrect?: boolean }>; acceptedAnswers?: string[] }

/** Fails the test when anything that gives an answer away is in a student-facing body. */
export function assertNoAnswers(t: Test, body: unknown, label: string) {
  const text = JSON.stringify(body)
  t.notMatch(text, /isCorrect|acceptedAnswers|correctChoiceIds|partialCredit|numericTolerance|caseSensitive/, `${label}: no answers leak to a student`)
}

/** The answers that get full marks on quizBody's questions, from the instructor's view. */
export function correctAnswers(questions: QuestionView[]) {
  return questions.map((q) => {
    if (q.questionType === 'short_answer') return { questionId: q.id, text: q.acceptedAnswers![0]! }
    return { questionId: q.id, choiceIds: q.choices!.filter((c) => c.isCorrect).map((c) => c.id) }
  })
}

export async function outbox(db: ReturnType<typeof createPostgres<Database>>) {
  const rows = await sql<{ event_type: string; envelope: { data: Record<string, unknown> } }>`select event_type, envelope from outbox order by position`.execute(db.withoutPlugins())
  return rows.rows
}
