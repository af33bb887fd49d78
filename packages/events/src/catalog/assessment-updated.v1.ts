import { AssessmentDefinitionV1 } from './assessment-definition.js'

export const AssessmentUpdatedV1 = AssessmentDefinitionV1
