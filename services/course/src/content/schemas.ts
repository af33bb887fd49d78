import { IdSchema } from '@lms/kit'
import Type, { type Static } from 'typebox'

export const ContentSchema = Type.Object({
  id: IdSchema,
  courseId: IdSchema,
  filename: Type.String(),
  contentType: Type.String(),
  length: Type.Integer(),
  uploadedAt: Type.String({ format: 'date-time' }),
  uploadedBy: IdSchema,
})
export const ContentParamsSchema = Type.Object({ id: IdSchema, contentId: IdSchema }, { additionalProperties: false })
export type Content = Static<typeof ContentSchema>
