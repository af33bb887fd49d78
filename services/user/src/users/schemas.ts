import Type, { type Static } from 'typebox'
import { IdSchema, PageQuerySchema } from '@lms/kit'
import type { UserRow } from './table.js'

export const RoleSchema = Type.Union([Type.Literal('student'), Type.Literal('instructor'), Type.Literal('admin')])
export const EmailSchema = Type.String({ format: 'email', maxLength: 254 })
/** Length in characters here; the 72-byte bcrypt limit is checked in bytes by the service. */
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 256 })
export const FullNameSchema = Type.String({ minLength: 1, maxLength: 200 })

export const UserSchema = Type.Object({
  id: IdSchema,
  email: Type.String(),
  fullName: Type.String(),
  role: RoleSchema,
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type User = Static<typeof UserSchema>

export const UpdateProfileSchema = Type.Object({
  fullName: Type.Optional(FullNameSchema),
  email: Type.Optional(EmailSchema),
}, { additionalProperties: false, minProperties: 1 })

export const ChangePasswordSchema = Type.Object({
  currentPassword: PasswordSchema,
  newPassword: PasswordSchema,
}, { additionalProperties: false })

export const UpdateRoleSchema = Type.Object({ role: RoleSchema }, { additionalProperties: false })

export const UserListQuerySchema = Type.Object({
  ...PageQuerySchema.properties,
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  role: Type.Optional(RoleSchema),
}, { additionalProperties: false })

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    fullName: row.fullName,
    role: row.role,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
