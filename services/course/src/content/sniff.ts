const ascii = (b: Buffer, at: number, s: string) => b.length >= at + s.length && b.toString('latin1', at, at + s.length) === s

/** File signatures of the accepted types: the declared type must match the bytes. */
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'application/pdf': (b) => ascii(b, 0, '%PDF-'),
  'image/png': (b) => b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a'),
  'image/webp': (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP'),
  'video/mp4': (b) => ascii(b, 4, 'ftyp'),
  'video/webm': (b) => b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3,
}

/** Bytes needed before {@link matchesType} can answer. */
export const SNIFF_BYTES = 12

/** Whether the first bytes fit the declared type (types without a known signature pass). */
export function matchesType(contentType: string, head: Buffer): boolean {
  const check = SIGNATURES[contentType]
  return check ? check(head) : true
}
