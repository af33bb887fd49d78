import { CourseSnapshotV1 } from './course-snapshot.js'

export const CoursePublishedV1 = CourseSnapshotV1
