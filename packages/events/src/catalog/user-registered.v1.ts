import Type from 'typebox'
import { Role, Uuid } from './common.js'

export const UserRegisteredV1 = Type.Object({
  userId: Uuid,
  email: Type.String({ format: 'email' }),
  fullName: Type.String(),
  role: Role,
})
