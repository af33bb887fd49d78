import { CompiledQuery, sql, type Insertable, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../database.js'
import type { AssessmentRow } from '../assessments/table.js'
import type { AttemptRow, AttemptTable } from './table.js'

type Db = Kysely<Database> | Transaction<Database>

/** Serialises attempt starts of one user on one assessment until the transaction ends. */
export async function lockUserAssessment(trx: Transaction<Database>, userId: string, assessmentId: string) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${userId}:${assessmentId}`}, 0))`.execute(trx)
}

export async function countAttempts(db: Db, userId: string, assessmentId: string) {
  const row = await db.selectFrom('attempts').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('userId', '=', userId).where('assessmentId', '=', assessmentId).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertAttempt(db: Db, a: Insertable<AttemptTable>) {
  return db.insertInto('attempts').values(a).returningAll().executeTakeFirstOrThrow()
}

export async function findAttemptForUpdate(trx: Transaction<Database>, id: string, assessmentId: string) {
  return trx.selectFrom('attempts').selectAll().where('id', '=', id).where('assessmentId', '=', assessmentId).forUpdate().executeTakeFirst()
}

export async function saveAttempt(db: Db, id: string, changes: {
  status: AttemptTable['status']; answers?: string; grades: string; score: number; passed: boolean;
  late?: boolean; submittedAt?: Date; gradedAt: Date | null
}) {
  return db.updateTable('attempts').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/** What grading needs of an assessment (all of it fixed once an attempt exists, but title and required). */
export type GradingView = Pick<AssessmentRow, 'id' | 'courseId' | 'title' | 'required' | 'passingScore' | 'closesAt' | 'version'>
  & { questions: AssessmentRow['questions'] | null }
export type SubmittableAttempt = Pick<AttemptRow, 'id' | 'userId' | 'status' | 'attemptNumber' | 'deadline' | 'drawn'>

const SUBMITTABLE = `
  select t.id, t.user_id as "userId", t.status, t.attempt_number as "attemptNumber", t.deadline, t.drawn,
    a.course_id as "courseId", a.title, a.required, a.passing_score as "passingScore", a.closes_at as "closesAt", a.version,
    case when a.version = $3::int then null else a.questions end as questions
  from attempts t join assessments a on a.id = t.assessment_id
  where t.id = $1 and t.assessment_id = $2`

/**
 * The attempt and its assessment in one read, without a lock: the submission's update re-checks the status.
 * The questions come only when the assessment's version is not `knownVersion` (the caller's cached copy).
 * Fixed SQL text without Kysely's builder or the camel-case plugin, which would walk every key of the JSON
 * on the hottest path.
 */
export async function findSubmittable(db: Db, id: string, assessmentId: string, knownVersion = -1) {
  const { rows } = await db.withoutPlugins().executeQuery<SubmittableAttempt & Omit<GradingView, 'id'>>(CompiledQuery.raw(SUBMITTABLE, [id, assessmentId, knownVersion]))
  const row = rows[0]
  if (!row) return undefined
  const { courseId, title, required, passingScore, closesAt, version, questions, ...attempt } = row
  return { attempt, assessment: { id: assessmentId, courseId, title, required, passingScore, closesAt, version, questions } satisfies GradingView }
}

/**
 * The update that stores a submission and its grades if the attempt is still in progress, returning its id;
 * no row when another submit got there first (the row lock makes the loser re-read the status), so answers
 * never change once stored. A statement for `enqueueWith`, which adds the outbox insert to it.
 */
export function submissionUpdate(id: string, userId: string, s: {
  status: AttemptTable['status']; answers: string; grades: string; score: number; passed: boolean; late: boolean; submittedAt: Date; gradedAt: Date | null
}) {
  return sql`
    update attempts set status = ${s.status}, answers = ${s.answers}::jsonb, grades = ${s.grades}::jsonb, score = ${s.score},
      passed = ${s.passed}, late = ${s.late}, submitted_at = ${s.submittedAt}, graded_at = ${s.gradedAt}
    where id = ${id} and user_id = ${userId} and status = 'in_progress' returning id`
}

export async function listAttempts(db: Db, assessmentId: string, userId?: string) {
  let query = db.selectFrom('attempts').selectAll().where('assessmentId', '=', assessmentId).orderBy('startedAt').orderBy('id')
  if (userId) query = query.where('userId', '=', userId)
  return query.execute()
}
