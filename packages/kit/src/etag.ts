import type { FastifyRequest } from 'fastify'
import { kitErrors } from './errors.js'

/** The weak ETag of a versioned resource. */
export function etagOf(version: number): string {
  return `W/"${version}"`
}

/**
 * The version the client read, from `If-Match`, or undefined when absent.
 * A header that names no version of ours answers 412.
 *
 * @example
 * const expected = ifMatchVersion(request) // then `where version = expected`
 */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined) return undefined
  const match = /^(?:W\/)?"(\d+)"$/.exec(String(header).trim())
  if (!match) throw kitErrors.KIT_ERR_PRECONDITION_FAILED()
  return Number(match[1])
}
