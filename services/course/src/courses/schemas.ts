import { IdSchema, PageQuerySchema } from '@lms/kit'
import Type, { type Static } from 'typebox'

export const CourseStatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('in_review'), Type.Literal('published'), Type.Literal('archived')])
export const DifficultyLevelSchema = Type.Union([Type.Literal('beginner'), Type.Literal('intermediate'), Type.Literal('advanced')])
export const LessonTypeSchema = Type.Union([Type.Literal('text'), Type.Literal('video'), Type.Literal('file'), Type.Literal('assessment')])
const DateTime = Type.String({ format: 'date-time' })
const NullableDateTime = Type.Union([DateTime, Type.Null()])

export const LessonSchema = Type.Object({
  id: IdSchema,
  title: Type.String(),
  lessonType: LessonTypeSchema,
  content: Type.String(),
  videoUrl: Type.Union([Type.String(), Type.Null()]),
  contentId: Type.Union([IdSchema, Type.Null()]),
  assessmentId: Type.Union([IdSchema, Type.Null()]),
  durationMinutes: Type.Integer(),
  prerequisiteLessonIds: Type.Array(IdSchema),
})

export const ModuleSchema = Type.Object({
  id: IdSchema,
  title: Type.String(),
  durationMinutes: Type.Integer(),
  lessons: Type.Array(LessonSchema),
})

export const OutlineSchema = Type.Object({ courseId: IdSchema, version: Type.Integer(), modules: Type.Array(ModuleSchema) })

const courseFields = {
  id: IdSchema,
  title: Type.String(),
  code: Type.String(),
  description: Type.String(),
  categoryId: Type.Union([IdSchema, Type.Null()]),
  tags: Type.Array(Type.String()),
  difficultyLevel: DifficultyLevelSchema,
  durationHours: Type.Number(),
  price: Type.Number(),
  capacity: Type.Union([Type.Integer(), Type.Null()]),
  language: Type.String(),
  instructorId: IdSchema,
  status: CourseStatusSchema,
  version: Type.Integer(),
  publishedVersion: Type.Integer(),
  popularity: Type.Number(),
  createdAt: DateTime,
  updatedAt: DateTime,
  submittedAt: NullableDateTime,
  publishedAt: NullableDateTime,
  archivedAt: NullableDateTime,
}

/** A course with its outline (detail, versions). */
export const CourseSchema = Type.Object({ ...courseFields, modules: Type.Array(ModuleSchema) })
/** A course in lists and search results (no outline). */
export const CourseSummarySchema = Type.Object(courseFields)

const Title = Type.String({ minLength: 1, maxLength: 200 })
const Code = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$', description: 'Unique, case-insensitive' })
const editable = {
  title: Title,
  code: Code,
  description: Type.String({ maxLength: 20_000 }),
  categoryId: Type.Union([IdSchema, Type.Null()]),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 }),
  difficultyLevel: DifficultyLevelSchema,
  durationHours: Type.Number({ minimum: 0, maximum: 10_000 }),
  price: Type.Number({ minimum: 0, maximum: 1_000_000 }),
  capacity: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  language: Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' }),
}

export const CreateCourseSchema = Type.Object(
  {
    title: editable.title,
    code: editable.code,
    description: Type.Optional(editable.description),
    categoryId: Type.Optional(editable.categoryId),
    tags: Type.Optional(editable.tags),
    difficultyLevel: Type.Optional(editable.difficultyLevel),
    durationHours: Type.Optional(editable.durationHours),
    price: Type.Optional(editable.price),
    capacity: Type.Optional(editable.capacity),
    language: Type.Optional(editable.language),
  },
  { additionalProperties: false },
)
/** PUT changes the fields it names (at least one); the others keep their values. */
export const UpdateCourseSchema = Type.Object(
  Object.fromEntries(Object.entries(editable).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof typeof editable]: ReturnType<typeof Type.Optional<(typeof editable)[K]>> },
  { additionalProperties: false, minProperties: 1 },
)
export const CloneCourseSchema = Type.Object(
  { code: Type.Optional(Code), title: Type.Optional(Title) },
  { additionalProperties: false },
)

export const CourseListQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    categoryId: Type.Optional(IdSchema),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    difficultyLevel: Type.Optional(DifficultyLevelSchema),
    instructorId: Type.Optional(IdSchema),
    language: Type.Optional(Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$' })),
    minPrice: Type.Optional(Type.Number({ minimum: 0 })),
    maxPrice: Type.Optional(Type.Number({ minimum: 0 })),
    status: Type.Optional(CourseStatusSchema),
    sort: Type.Union([Type.Literal('newest'), Type.Literal('title'), Type.Literal('popularity')], { default: 'newest' }),
  },
  { additionalProperties: false },
)

export const CourseParamsSchema = Type.Object({ id: IdSchema }, { additionalProperties: false })
export const VersionParamsSchema = Type.Object({ id: IdSchema, n: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })

export const VersionSummarySchema = Type.Object({ number: Type.Integer(), publishedAt: DateTime, publishedBy: IdSchema, title: Type.String() })
export const VersionSchema = Type.Object({ number: Type.Integer(), publishedAt: DateTime, publishedBy: IdSchema, course: CourseSchema })

export type Course = Static<typeof CourseSchema>
export type CourseSummary = Static<typeof CourseSummarySchema>
export type CreateCourse = Static<typeof CreateCourseSchema>
export type UpdateCourse = Static<typeof UpdateCourseSchema>
export type CloneCourse = Static<typeof CloneCourseSchema>
export type CourseListQuery = Static<typeof CourseListQuerySchema>
