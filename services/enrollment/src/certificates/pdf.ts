import PDFDocument from 'pdfkit'
import type { CertificateRow } from './table.js'

/** A one-page certificate; the verification code lets anyone check it at /api/v1/certificates/{code}. */
export function renderCertificatePdf(row: CertificateRow): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 56, info: { Title: `Certificate: ${row.courseTitle}` } })
    const chunks: Buffer[] = []
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    doc.fontSize(32).text('Certificate of Completion', { align: 'center' }).moveDown(1.5)
    doc.fontSize(16).text(row.holderName ? `awarded to ${row.holderName}` : 'awarded for completing', { align: 'center' }).moveDown()
    doc.fontSize(24).text(row.courseTitle, { align: 'center' }).moveDown(1.5)
    doc.fontSize(12).text(`Completed on ${row.completedAt.toISOString().slice(0, 10)}`, { align: 'center' }).moveDown()
    doc.fontSize(10).text(`Verification code: ${row.verificationCode}`, { align: 'center' })
    doc.end()
  })
}
