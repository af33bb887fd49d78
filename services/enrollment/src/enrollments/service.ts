import type { Kysely, Transaction } from 'kysely'
import { uuidv7 } from 'uuidv7'
import { createEvent, enqueue } from '@lms/events'
import { kitErrors, type AuthUser } from '@lms/kit'
import { issueCertificate } from '../certificates/service.js'
import * as courses from '../courses/service.js'
import type { CourseOutlineRow, CourseRow } from '../courses/service.js'
import type { Database } from '../database.js'
import { errors } from '../errors.js'
import * as repo from './repository.js'
import { toEnrollment, toEnrollmentDetail, type UpdateProgress } from './schemas.js'
import type { EnrollmentRow } from './table.js'
import * as waitlist from '../waitlist/service.js'
import type { WaitlistEntry } from '../waitlist/schemas.js'

const SOURCE = { source: 'enrollment' }

export interface EnrollmentServiceDeps {
  db: Kysely<Database>
  onCreated?: () => void
  onCompleted?: () => void
}

function isUniqueViolation(error: unknown) {
  return (error as { code?: string }).code === '23505'
}

/** The write's answer, after throwing its refusal; undefined when it must run in a transaction. */
function recorded(result: repo.ProgressOutcome) {
  switch (result.outcome) {
    case 'recorded': return result
    case 'needs_transaction': return undefined
    case 'not_found': throw errors.ENR_ERR_ENROLLMENT_NOT_FOUND()
    case 'dropped': throw errors.ENR_ERR_ENROLLMENT_DROPPED()
    case 'lesson_not_in_course': throw errors.ENR_ERR_LESSON_NOT_IN_COURSE()
    case 'prerequisites_not_met': throw errors.ENR_ERR_PREREQUISITES_NOT_MET(undefined, { missingLessonIds: result.missingLessonIds })
  }
}

/** The enrollment's lesson rows after a write: those before it, the written one last. */
function lessonsAfter(written: Extract<repo.ProgressOutcome, { outcome: 'recorded' }>) {
  return [...written.before.filter((p) => p.lessonId !== written.saved.lessonId), written.saved]
}

function canSee(actor: AuthUser, enrollment: EnrollmentRow, course: CourseRow | undefined) {
  return actor.role === 'admin' || actor.id === enrollment.userId || (course !== undefined && course.instructorId === actor.id)
}

export function createEnrollmentService(deps: EnrollmentServiceDeps) {
  const { db } = deps

  /**
   * Completes the (locked) enrollment when every lesson is completed (`lessonsDone`, when the caller
   * knows it) and every required assessment passed: status, enrollment.completed and the certificate
   * commit together. Answers the completed row when it did.
   */
  async function completeIfDone(trx: Transaction<Database>, enrollment: Pick<EnrollmentRow, 'id' | 'userId' | 'courseId' | 'status'>, course: CourseOutlineRow, lessonsDone?: boolean) {
    if (enrollment.status !== 'active') return undefined
    if (!(lessonsDone ?? await allLessonsCompleted(trx, enrollment.id, course))) return undefined
    const required = await courses.requiredAssessmentIds(trx, course)
    const passed = await courses.passedAssessmentIds(trx, enrollment.userId, course.id)
    if (!required.every((id) => passed.has(id))) return undefined
    const completedAt = new Date()
    const row = await repo.updateEnrollment(trx, enrollment.id, { status: 'completed', completedAt, progressPercentage: 100 })
    await enqueue(trx, createEvent('enrollment.completed', {
      enrollmentId: row.id, userId: row.userId, courseId: row.courseId, completedAt: completedAt.toISOString(), courseTitle: course.title,
    }, SOURCE))
    await issueCertificate(trx, { enrollmentId: row.id, userId: row.userId, courseId: row.courseId, courseTitle: course.title, completedAt })
    return row
  }

  async function allLessonsCompleted(trx: Transaction<Database>, enrollmentId: string, course: CourseOutlineRow) {
    const progress = await repo.listLessonProgress(trx, enrollmentId)
    const completed = new Set(progress.filter((p) => p.status === 'completed').map((p) => p.lessonId))
    return courses.lessonsOf(course.outline).every((l) => completed.has(l.id))
  }

  async function visible(actor: AuthUser, id: string) {
    const row = await repo.findEnrollment(db, id)
    if (!row) throw errors.ENR_ERR_ENROLLMENT_NOT_FOUND()
    const course = await courses.findCourse(db, row.courseId)
    if (!canSee(actor, row, course)) throw errors.ENR_ERR_ENROLLMENT_NOT_FOUND()
    return row
  }

  async function courseOfInstructor(actor: AuthUser, courseId: string) {
    const course = await courses.findCourse(db, courseId)
    if (!course || (actor.role !== 'admin' && course.instructorId !== actor.id)) throw errors.ENR_ERR_COURSE_NOT_FOUND()
    return course
  }

  async function announceCreated(trx: Transaction<Database>, row: { id: string; userId: string; courseId: string }, course: Pick<CourseRow, 'instructorId' | 'title'>) {
    await enqueue(trx, createEvent('enrollment.created', {
      enrollmentId: row.id, userId: row.userId, courseId: row.courseId, instructorId: course.instructorId, courseTitle: course.title,
    }, SOURCE))
  }

  async function insertAndAnnounce(trx: Transaction<Database>, userId: string, course: CourseRow) {
    const row = await repo.insertEnrollment(trx, { id: uuidv7(), userId, courseId: course.id })
    await announceCreated(trx, row, course)
    return row
  }

  /**
   * Fills free seats from the waitlist, oldest entry first, in the caller's transaction (which holds
   * the course row lock): each promotion is an enrollment with its enrollment.created.
   */
  async function promoteWaiting(trx: Transaction<Database>, course: CourseRow) {
    let promoted = 0
    if (course.status !== 'published') return promoted
    while (course.capacity === null || (await repo.countActive(trx, course.id)) < course.capacity) {
      const next = await waitlist.firstWaiting(trx, course.id)
      if (!next) break
      if (await repo.findLiveEnrollment(trx, next.userId, course.id)) {
        await waitlist.deleteEntry(trx, next.id)
        continue
      }
      const row = await insertAndAnnounce(trx, next.userId, course)
      await waitlist.markPromoted(trx, next.id, row.id)
      promoted++
    }
    return promoted
  }

  return {
    /**
     * Enrolls under the course row lock, so the seat count and the insert cannot interleave. With
     * `waitlist: true` a full course queues the user instead (`{ waitlisted }`, answered as 202).
     */
    async enroll(actor: AuthUser, input: { courseId: string; userId?: string | undefined; waitlist?: boolean | undefined }): Promise<
      { enrollment: ReturnType<typeof toEnrollment>; waitlisted?: undefined } | { waitlisted: WaitlistEntry; enrollment?: undefined }
    > {
      const userId = input.userId ?? actor.id
      if (userId !== actor.id && actor.role !== 'admin') throw kitErrors.KIT_ERR_FORBIDDEN('Only an admin may enroll another user')
      try {
        const result = await db.transaction().execute(async (trx) => {
          const enrolled = await repo.enrollInCourse(trx, { id: uuidv7(), userId, courseId: input.courseId })
          switch (enrolled.outcome) {
            case 'course_not_available': throw errors.ENR_ERR_COURSE_NOT_AVAILABLE()
            case 'course_not_open': throw errors.ENR_ERR_COURSE_NOT_OPEN(`The course is ${enrolled.courseStatus}`)
            case 'already_enrolled': throw errors.ENR_ERR_ALREADY_ENROLLED()
            case 'course_full':
              if (input.waitlist) return { waitlisted: await waitlist.join(trx, userId, input.courseId) }
              throw errors.ENR_ERR_COURSE_FULL(undefined, { reason: 'course_full' })
          }
          const row = enrolled.enrollment
          await announceCreated(trx, row, enrolled.course)
          // A seat that freed without a promotion (capacity raised): the user leaves the queue by enrolling.
          if (enrolled.waitingEntryId) await waitlist.markPromoted(trx, enrolled.waitingEntryId, row.id)
          return { row }
        })
        if ('waitlisted' in result) return { waitlisted: result.waitlisted! }
        deps.onCreated?.()
        return { enrollment: toEnrollment(result.row) }
      } catch (error) {
        if (isUniqueViolation(error)) {
          if ((error as { constraint?: string }).constraint === 'waitlist_entries_user_course_waiting_key') throw errors.ENR_ERR_ALREADY_WAITLISTED()
          throw errors.ENR_ERR_ALREADY_ENROLLED()
        }
        throw error
      }
    },

    async get(actor: AuthUser, id: string) {
      const row = await visible(actor, id)
      return toEnrollmentDetail(row, await repo.listLessonProgress(db, row.id))
    },

    /** For the certificate routes: 404 unless the caller may see the enrollment. */
    async assertVisible(actor: AuthUser, id: string) {
      await visible(actor, id)
    },

    async listOfUser(userId: string, q: { limit: number; before?: string }) {
      return repo.listEnrollments(db, { userId, ...q })
    },

    async listOfCourse(actor: AuthUser, courseId: string, q: { limit: number; before?: string }) {
      await courseOfInstructor(actor, courseId)
      return repo.listEnrollments(db, { courseId, ...q })
    },

    async stats(actor: AuthUser, courseId: string) {
      await courseOfInstructor(actor, courseId)
      const s = await repo.courseStats(db, courseId)
      const enrolled = Number(s.enrolled)
      const completed = Number(s.completed)
      return {
        courseId,
        enrolled,
        active: Number(s.active),
        completed,
        dropped: Number(s.dropped),
        averageProgress: s.averageProgress === null ? 0 : Math.round(Number(s.averageProgress) * 100) / 100,
        completionRate: enrolled === 0 ? 0 : Math.round((completed / enrolled) * 10_000) / 10_000,
      }
    },

    /**
     * Records one lesson's progress under the enrollment row lock (concurrent updates serialise, none is
     * lost) and recomputes the percentage in one statement. A write that crosses a milestone or completes
     * the enrollment runs in a transaction that also emits each milestone once and completes.
     */
    async updateProgress(actor: AuthUser, id: string, input: UpdateProgress) {
      const write = {
        enrollmentId: id, actorId: actor.id, admin: actor.role === 'admin', lessonId: input.lessonId, status: input.status,
        completionPercentage: input.status === 'completed' ? 100 : (input.completionPercentage ?? 0),
        completedAt: input.status === 'completed' ? new Date() : null, now: new Date(),
      }
      const plain = recorded(await repo.recordLessonProgress(db, { ...write, inTransaction: false }))
      if (plain) return toEnrollmentDetail(plain.enrollment, lessonsAfter(plain))

      const { row, lessons, completed } = await db.transaction().execute(async (trx) => {
        const written = recorded(await repo.recordLessonProgress(trx, { ...write, inTransaction: true }))!
        const { enrollment, crossed } = written
        const course = { id: enrollment.courseId, ...written.course! }
        if (crossed.length > 0) {
          await enqueue(trx, crossed.map((milestone) => createEvent('enrollment.progressed', {
            enrollmentId: enrollment.id, userId: enrollment.userId, courseId: enrollment.courseId,
            progressPercentage: enrollment.progressPercentage, milestone, courseTitle: course.title,
          }, SOURCE)))
        }
        const completedRow = await completeIfDone(trx, enrollment, course, written.allLessonsCompleted)
        return { row: completedRow ?? enrollment, lessons: lessonsAfter(written), completed: completedRow !== undefined }
      })
      if (completed) deps.onCompleted?.()
      return toEnrollmentDetail(row, lessons)
    },

    /** Drops the enrollment; the freed seat goes to the next waitlisted student in the same transaction. */
    async drop(actor: AuthUser, id: string) {
      const promoted = await db.transaction().execute(async (trx) => {
        const found = await repo.findEnrollment(trx, id)
        if (!found || (found.userId !== actor.id && actor.role !== 'admin')) throw errors.ENR_ERR_ENROLLMENT_NOT_FOUND()
        // Course row first, then the enrollment: the order enroll() takes its locks in.
        const course = await courses.findCourseForUpdate(trx, found.courseId)
        const enrollment = await repo.findEnrollmentForUpdate(trx, id)
        if (!enrollment) throw errors.ENR_ERR_ENROLLMENT_NOT_FOUND()
        if (enrollment.status !== 'active') throw errors.ENR_ERR_NOT_ACTIVE(`The enrollment is ${enrollment.status}`)
        await repo.updateEnrollment(trx, id, { status: 'dropped', droppedAt: new Date() })
        await enqueue(trx, createEvent('enrollment.dropped', {
          enrollmentId: id, userId: enrollment.userId, courseId: enrollment.courseId, ...(course ? { courseTitle: course.title } : {}),
        }, SOURCE))
        return course ? promoteWaiting(trx, course) : 0
      })
      for (let i = 0; i < promoted; i++) deps.onCreated?.()
    },

    /** assessment.graded: a pass is remembered, and the user's active enrollment completes if that was the last step. */
    async recordGrade(trx: Transaction<Database>, grade: { userId: string; courseId: string; assessmentId: string; passed: boolean }) {
      if (!grade.passed) return false
      await courses.recordPass(trx, { userId: grade.userId, assessmentId: grade.assessmentId, courseId: grade.courseId })
      const live = await repo.findLiveEnrollment(trx, grade.userId, grade.courseId)
      if (!live || live.status !== 'active') return false
      const enrollment = await repo.findEnrollmentForUpdate(trx, live.id)
      const course = await courses.findCourse(trx, grade.courseId)
      if (!enrollment || !course) return false
      return (await completeIfDone(trx, enrollment, course)) !== undefined
    },

    /** user.deleted: enrollments stay for the course statistics but no longer point at the person. */
    async anonymiseUser(trx: Transaction<Database>, userId: string) {
      await courses.deletePassesOfUser(trx, userId)
      await waitlist.forgetUser(trx, userId)
      return repo.anonymiseEnrollmentsOfUser(trx, userId)
    },
  }
}

export type EnrollmentService = ReturnType<typeof createEnrollmentService>
