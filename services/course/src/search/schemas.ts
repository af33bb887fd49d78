import Type, { type Static } from 'typebox'
import { CourseSummarySchema } from '../courses/schemas.js'

export const SearchQuerySchema = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
)

export const SearchResultSchema = Type.Object({
  items: Type.Array(Type.Object({ ...CourseSummarySchema.properties, score: Type.Number() })),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export type SearchQuery = Static<typeof SearchQuerySchema>
