import type { OutboxFields } from '@lms/events'

export type CourseStatus = 'draft' | 'in_review' | 'published' | 'archived'
export type DifficultyLevel = 'beginner' | 'intermediate' | 'advanced'
export type LessonType = 'text' | 'video' | 'file' | 'assessment'

export interface LessonDoc {
  id: string
  title: string
  lessonType: LessonType
  content: string
  videoUrl: string | null
  contentId: string | null
  assessmentId: string | null
  durationMinutes: number
  prerequisiteLessonIds: string[]
}

export interface ModuleDoc {
  id: string
  title: string
  durationMinutes: number
  lessons: LessonDoc[]
}

/** Per-field folded tokens, kept to rank search candidates without re-reading the text. */
export interface SearchFields {
  title: string[]
  tags: string[]
  lessons: string[]
  description: string[]
}

/** A published state waiting to be copied into `course_versions` (the version outbox). */
export interface PendingVersion {
  number: number
  snapshot: CourseSnapshot
  publishedAt: Date
  publishedBy: string
}

/** What a version stores: the course as the API showed it, with its outline. */
export type CourseSnapshot = Omit<CourseDoc, '_id' | 'codeKey' | 'titleKey' | 'search' | 'pendingVersion' | 'pendingEvents'> & { id: string }

/** One document per course in `courses`; modules and lessons are embedded (one atomic write per change). */
export interface CourseDoc extends OutboxFields {
  _id: string
  title: string
  titleKey: string
  code: string
  codeKey: string
  description: string
  categoryId: string | null
  tags: string[]
  difficultyLevel: DifficultyLevel
  durationHours: number
  price: number
  capacity: number | null
  language: string
  instructorId: string
  status: CourseStatus
  version: number
  publishedVersion: number
  popularity: number
  modules: ModuleDoc[]
  search: SearchFields
  createdAt: Date
  updatedAt: Date
  submittedAt: Date | null
  publishedAt: Date | null
  archivedAt: Date | null
  pendingVersion: PendingVersion | null
}

export interface VersionDoc {
  _id: string
  courseId: string
  number: number
  snapshot: CourseSnapshot
  publishedAt: Date
  publishedBy: string
}
