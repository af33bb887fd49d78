import Type from 'typebox'
import { Role, Uuid } from './common.js'

export const UserRoleChangedV1 = Type.Object({
  userId: Uuid,
  oldRole: Role,
  newRole: Role,
  changedBy: Uuid,
  email: Type.Optional(Type.String({ format: 'email' })),
})
