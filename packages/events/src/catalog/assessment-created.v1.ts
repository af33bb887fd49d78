import { AssessmentDefinitionV1 } from './assessment-definition.js'

export const AssessmentCreatedV1 = AssessmentDefinitionV1
