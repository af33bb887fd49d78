import { AssessmentDefinitionV1 } from './assessment-definition.js'

/**
 * Payload of `assessment.created` v1 (published by the assessment service).
 *
 * @example
 * const event = createEvent('assessment.created', payload, { source: 'assessment' }) // payload: Static<typeof AssessmentCreatedV1>
 */
export const AssessmentCreatedV1 = AssessmentDefinitionV1
