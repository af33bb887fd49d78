import Type, { type TSchema } from 'typebox'

/** A UUID string (every id in the platform is a UUIDv7). */
export const IdSchema = Type.String({ format: 'uuid' })
export const IdParamsSchema = Type.Object({ id: IdSchema }, { additionalProperties: false })

/** RFC 9457 problem body as every route documents it. */
export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String(),
  code: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
}, { additionalProperties: true, description: 'RFC 9457 problem; extension members (e.g. `reason`) may follow' })

/** `?limit=&cursor=` for every list. */
export const PageQuerySchema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
})

/** `{ items, nextCursor }` of the given item schema. */
export function PageSchema<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) })
}

/** The error responses most routes can give, for their `response` maps. */
export const problemResponses = {
  400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema,
  412: ProblemSchema, 422: ProblemSchema, 429: ProblemSchema,
} as const
