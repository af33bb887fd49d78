import { IdSchema } from '@lms/kit'
import Type, { type Static } from 'typebox'
import { LessonTypeSchema } from '../courses/schemas.js'

const Title = Type.String({ minLength: 1, maxLength: 200 })
const Minutes = Type.Integer({ minimum: 0, maximum: 100_000 })

export const CreateModuleSchema = Type.Object({ title: Title, durationMinutes: Type.Optional(Minutes) }, { additionalProperties: false })
export const UpdateModuleSchema = Type.Object(
  { title: Type.Optional(Title), durationMinutes: Type.Optional(Minutes) },
  { additionalProperties: false, minProperties: 1 },
)

const lessonFields = {
  title: Title,
  lessonType: LessonTypeSchema,
  content: Type.String({ maxLength: 200_000, description: 'Rich text (HTML) or markdown; sanitised on write' }),
  videoUrl: Type.Union([Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }), Type.Null()]),
  contentId: Type.Union([IdSchema, Type.Null()]),
  assessmentId: Type.Union([IdSchema, Type.Null()]),
  durationMinutes: Minutes,
  prerequisiteLessonIds: Type.Array(IdSchema, { maxItems: 50, uniqueItems: true }),
}
export const CreateLessonSchema = Type.Object(
  {
    title: lessonFields.title,
    lessonType: Type.Optional(lessonFields.lessonType),
    content: Type.Optional(lessonFields.content),
    videoUrl: Type.Optional(lessonFields.videoUrl),
    contentId: Type.Optional(lessonFields.contentId),
    assessmentId: Type.Optional(lessonFields.assessmentId),
    durationMinutes: Type.Optional(lessonFields.durationMinutes),
    prerequisiteLessonIds: Type.Optional(lessonFields.prerequisiteLessonIds),
  },
  { additionalProperties: false },
)
export const UpdateLessonSchema = Type.Object(
  Object.fromEntries(Object.entries(lessonFields).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof typeof lessonFields]: ReturnType<typeof Type.Optional<(typeof lessonFields)[K]>> },
  { additionalProperties: false, minProperties: 1 },
)

export const ModuleOrderSchema = Type.Object({ moduleIds: Type.Array(IdSchema, { maxItems: 500 }) }, { additionalProperties: false })
export const LessonOrderSchema = Type.Object({ lessonIds: Type.Array(IdSchema, { maxItems: 500 }) }, { additionalProperties: false })

export const ModuleParamsSchema = Type.Object({ id: IdSchema, moduleId: IdSchema }, { additionalProperties: false })
export const LessonParamsSchema = Type.Object({ id: IdSchema, moduleId: IdSchema, lessonId: IdSchema }, { additionalProperties: false })

export type CreateModule = Static<typeof CreateModuleSchema>
export type UpdateModule = Static<typeof UpdateModuleSchema>
export type CreateLesson = Static<typeof CreateLessonSchema>
export type UpdateLesson = Static<typeof UpdateLessonSchema>
