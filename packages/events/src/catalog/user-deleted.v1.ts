import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `user.deleted` v1 (published by the user service).
 *
 * @example
 * const event = createEvent('user.deleted', payload, { source: 'user' }) // payload: Static<typeof UserDeletedV1>
 */
export const UserDeletedV1 = Type.Object({ userId: Uuid })
