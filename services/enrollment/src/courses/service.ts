import type { Kysely, Transaction } from 'kysely'
import type { EventData } from '@lms/events'
import type { Database } from '../database.js'
import * as repo from './repository.js'
import type { CourseOutline } from './table.js'

type Db = Kysely<Database> | Transaction<Database>
export type CourseRow = NonNullable<Awaited<ReturnType<typeof repo.findCourse>>>
/** What completion needs of a course. */
export type CourseOutlineRow = Pick<CourseRow, 'id' | 'title' | 'outline'>

/** Lesson ids of the outline, in module order. */
export function lessonsOf(outline: CourseOutline) {
  return outline.modules.flatMap((m) => m.lessons)
}

/**
 * Required assessments of a course: those the course snapshot lists plus those announced as required
 * by assessment events, minus those deleted since.
 */
export async function requiredAssessmentIds(db: Db, course: Pick<CourseRow, 'id' | 'outline'>): Promise<string[]> {
  const known = await repo.listCourseAssessments(db, course.id)
  const required = new Set(course.outline.requiredAssessmentIds)
  for (const a of known) {
    if (a.deleted || !a.required) required.delete(a.assessmentId)
    if (a.required && !a.deleted) required.add(a.assessmentId)
  }
  return [...required]
}

/** Applies a course.published / course.updated snapshot; stale versions are ignored. */
export async function applyCourseSnapshot(db: Db, data: EventData<'course.published'>) {
  return repo.upsertCourse(db, {
    id: data.courseId,
    status: data.status,
    title: data.title,
    instructorId: data.instructorId,
    capacity: data.capacity,
    version: data.version,
    outline: {
      modules: data.modules.map((m) => ({ id: m.id, lessons: m.lessons.map((l) => ({ id: l.id, prerequisiteLessonIds: l.prerequisiteLessonIds })) })),
      requiredAssessmentIds: data.requiredAssessmentIds,
    },
  })
}

export { archiveCourse, findCourse, findCourseForUpdate, upsertCourseAssessment, recordPass, passedAssessmentIds, deletePassesOfUser } from './repository.js'
