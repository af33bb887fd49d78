import { AssessmentDefinitionV1 } from './assessment-definition.js'

/**
 * Payload of `assessment.updated` v1 (published by the assessment service).
 *
 * @example
 * const event = createEvent('assessment.updated', payload, { source: 'assessment' }) // payload: Static<typeof AssessmentUpdatedV1>
 */
export const AssessmentUpdatedV1 = AssessmentDefinitionV1
