import Type from 'typebox'

/** A UUID (the platform uses UUIDv7 everywhere). */
export const Uuid = Type.String({ format: 'uuid' })
/** An ISO-8601 UTC timestamp. */
export const IsoDateTime = Type.String({ format: 'date-time' })
/** The platform's user roles. */
export const Role = Type.Union([Type.Literal('student'), Type.Literal('instructor'), Type.Literal('admin')])
