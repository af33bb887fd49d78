import type { Problem } from './types.js'

/** One invalid field of a 400 (`errors[]` of the problem). */
export interface FieldError { path: string; message: string }

/**
 * A non-2xx answer as an RFC 9457 problem (`application/problem+json`).
 * Extension members the service added (e.g. `reason`, `missingLessonIds`) are in `problem`.
 *
 * @example
 * try { await client.enrollments.create({ courseId }) }
 * catch (e) { if (e instanceof LmsProblemError && e.status === 409) showFull(e.problem.reason) }
 */
export class LmsProblemError extends Error {
  override readonly name = 'LmsProblemError'
  readonly status: number
  /** The service's catalogued code (`ENR_ERR_COURSE_FULL`), when it sent one. */
  readonly code: string | undefined
  readonly title: string
  readonly detail: string
  readonly errors: FieldError[]
  readonly problem: Problem & Record<string, unknown>

  constructor(problem: Problem & Record<string, unknown>) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`)
    this.problem = problem
    this.status = problem.status
    this.code = problem.code
    this.title = problem.title
    this.detail = problem.detail
    this.errors = problem.errors ?? []
  }
}

/** Builds the problem of an answer that was not problem+json (a proxy's HTML 502, a bare status). */
export function problemFromStatus(status: number, statusText: string, path: string, body: string): Problem {
  return { type: 'about:blank', title: statusText || `HTTP ${status}`, status, detail: body.slice(0, 500) || statusText || `HTTP ${status}`, instance: path }
}
