import Type from 'typebox'
import { Role, Uuid } from './common.js'

/**
 * Payload of `user.registered` v1 (published by the user service).
 *
 * @example
 * const event = createEvent('user.registered', payload, { source: 'user' }) // payload: Static<typeof UserRegisteredV1>
 */
export const UserRegisteredV1 = Type.Object({
  userId: Uuid,
  email: Type.String({ format: 'email' }),
  fullName: Type.String(),
  role: Role,
})
