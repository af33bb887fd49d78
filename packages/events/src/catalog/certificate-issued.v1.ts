import Type from 'typebox'
import { Uuid } from './common.js'

/**
 * Payload of `certificate.issued` v1 (published by the enrollment service).
 *
 * @example
 * const event = createEvent('certificate.issued', payload, { source: 'enrollment' }) // payload: Static<typeof CertificateIssuedV1>
 */
export const CertificateIssuedV1 = Type.Object({
  certificateId: Uuid,
  enrollmentId: Uuid,
  userId: Uuid,
  courseId: Uuid,
  verificationCode: Type.String(),
  courseTitle: Type.Optional(Type.String()),
})
