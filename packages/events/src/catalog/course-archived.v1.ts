import Type from 'typebox'
import { Uuid } from './common.js'

export const CourseArchivedV1 = Type.Object({ courseId: Uuid })
