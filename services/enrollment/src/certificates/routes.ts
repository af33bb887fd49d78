import Type from 'typebox'
import { IdParamsSchema, problemResponses, type App } from '@lms/kit'
import type { EnrollmentService } from '../enrollments/service.js'
import { CertificateSchema, CertificateVerificationSchema, CodeParamsSchema } from './schemas.js'
import type { CertificateService } from './service.js'

export async function certificateRoutes(app: App, opts: { certificates: CertificateService; enrollments: EnrollmentService }) {
  const { certificates, enrollments } = opts

  app.get('/api/v1/enrollments/:id/certificate', {
    preHandler: app.authenticate,
    schema: {
      tags: ['certificates'], security: [{ bearerAuth: [] }],
      summary: 'The certificate of a completed enrollment: JSON, or a PDF with `Accept: application/pdf`',
      params: IdParamsSchema,
      response: { 200: { content: { 'application/json': { schema: CertificateSchema }, 'application/pdf': { schema: Type.String({ format: 'binary' }) } } }, ...problemResponses },
    },
  }, async (request, reply) => {
    await enrollments.assertVisible(request.user, request.params.id)
    if (prefersPdf(request.headers.accept)) {
      // A Buffer bypasses the response serializer; the cast only satisfies the JSON-typed reply.
      const pdf = await certificates.pdfOfEnrollment(request.params.id)
      return reply.type('application/pdf').header('content-disposition', 'inline; filename="certificate.pdf"').send(pdf as unknown as string)
    }
    return certificates.ofEnrollment(request.params.id)
  })

  app.get('/api/v1/certificates/:code', {
    schema: {
      tags: ['certificates'], summary: 'Public verification of a certificate by its code',
      params: CodeParamsSchema, response: { 200: CertificateVerificationSchema, ...problemResponses },
    },
  }, async (request) => certificates.verify(request.params.code))
}

/** PDF only when asked for explicitly, ahead of JSON (no q-value parsing beyond order). */
function prefersPdf(accept: string | undefined) {
  if (!accept) return false
  const pdf = accept.indexOf('application/pdf')
  const json = accept.indexOf('application/json')
  return pdf !== -1 && (json === -1 || pdf < json)
}
