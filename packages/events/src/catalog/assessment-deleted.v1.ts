import Type from 'typebox'
import { Uuid } from './common.js'

export const AssessmentDeletedV1 = Type.Object({ assessmentId: Uuid, courseId: Uuid, required: Type.Boolean() })
