import Type from 'typebox'
import { Uuid } from './common.js'

export const CertificateIssuedV1 = Type.Object({
  certificateId: Uuid,
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  verificationCode: Type.String(),
  courseTitle: Type.Optional(Type.String()),
})
