import { CourseSnapshotV1 } from './course-snapshot.js'

export const CourseUpdatedV1 = CourseSnapshotV1
