import Type from 'typebox'
import { Uuid } from './common.js'

export const UserDeletedV1 = Type.Object({ userId: Uuid })
