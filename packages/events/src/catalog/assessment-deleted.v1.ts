import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `assessment.deleted` v1 (published by the assessment service).
 *
 * @example
 * const event = createEvent('assessment.deleted', payload, { source: 'assessment' }) // payload: Static<typeof AssessmentDeletedV1>
 */
export const AssessmentDeletedV1 = Type.Object({ assessmentId: Uuid, courseId: Uuid, required: Type.Boolean() })
