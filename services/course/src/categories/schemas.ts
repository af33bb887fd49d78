import { IdSchema, PageQuerySchema } from '@lms/kit'
import Type, { type Static } from 'typebox'

export const CategorySchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  description: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export const CreateCategorySchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), description: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
)
export const UpdateCategorySchema = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), description: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false, minProperties: 1 },
)
export const CategoryListQuerySchema = Type.Object({ ...PageQuerySchema.properties }, { additionalProperties: false })
export const CategoryParamsSchema = Type.Object({ id: IdSchema }, { additionalProperties: false })

export type Category = Static<typeof CategorySchema>
export type CreateCategory = Static<typeof CreateCategorySchema>
export type UpdateCategory = Static<typeof UpdateCategorySchema>
