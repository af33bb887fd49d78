import Type from 'typebox'
import { Role, Uuid } from './common.js'

/**
 * Payload of `user.role_changed` v1 (published by the user service).
 *
 * @example
 * const event = createEvent('user.role_changed', payload, { source: 'user' }) // payload: Static<typeof UserRoleChangedV1>
 */
export const UserRoleChangedV1 = Type.Object({
  userId: Uuid,
  oldRole: Role,
  newRole: Role,
  changedBy: Uuid,
  email: Type.Optional(Type.String({ format: 'email' })),
})
