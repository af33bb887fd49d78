import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.js'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 412: 'Precondition Failed', 413: 'Content Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Content', 428: 'Precondition Required',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code?: string
  errors?: Array<{ path: string; message: string }>
  [key: string]: unknown
}

/** Builds an RFC 9457 body; `type` points at the docs of the error code. */
export function problem(status: number, detail: string, instance: string, extra: Record<string, unknown> = {}): Problem {
  const code = typeof extra.code === 'string' ? extra.code : undefined
  return {
    type: code ? `https://lms.dev/problems/${code.toLowerCase().replace(/_/g, '-')}` : 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance,
    ...extra,
  }
}

export function sendProblem(reply: FastifyReply, body: Problem, headers: Record<string, string> = {}) {
  return reply.code(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body)
}

interface ValidationIssue { instancePath?: string; params?: Record<string, unknown>; message?: string }

function validationErrors(error: FastifyError): Array<{ path: string; message: string }> {
  const issues = (error.validation ?? []) as ValidationIssue[]
  const context = error.validationContext ?? 'body'
  return issues.map((issue) => {
    let path = `/${context}${issue.instancePath ?? ''}`
    let message = issue.message ?? 'is invalid'
    if (issue.params?.additionalProperty) {
      path += `/${String(issue.params.additionalProperty)}`
      message = 'is not allowed'
    } else if (issue.params?.missingProperty) {
      path += `/${String(issue.params.missingProperty)}`
      message = 'is required'
    }
    return { path, message }
  })
}

const FASTIFY_CODES: Record<string, number> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
}

/** Maps every error a route can raise to problem+json; 5xx details never leave the process. */
export const problemPlugin = fp(
  async function problemPlugin(app: FastifyInstance) {
    app.setErrorHandler(function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
      const instance = request.url
      if (error instanceof AppError) {
        if (error.status >= 500) request.log.error({ err: error }, 'request failed')
        return sendProblem(reply, problem(error.status, error.message, instance, { code: error.code, ...error.extra }), error.headers)
      }
      if (error.validation) {
        return sendProblem(
          reply,
          problem(400, 'The request is not valid', instance, { code: 'KIT_ERR_VALIDATION', errors: validationErrors(error) }),
        )
      }
      if (error instanceof SyntaxError || (error.code && FASTIFY_CODES[error.code])) {
        const status = error.code ? (FASTIFY_CODES[error.code] ?? 400) : 400
        const detail = error instanceof SyntaxError ? 'The body is not valid JSON' : error.message
        return sendProblem(reply, problem(status, detail, instance, { code: error.code ?? 'KIT_ERR_MALFORMED_JSON' }))
      }
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed')
        return sendProblem(reply, problem(status, 'An unexpected error occurred; it has been logged', instance))
      }
      const headers: Record<string, string> = {}
      const retryAfter = reply.getHeader('retry-after')
      if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter)
      return sendProblem(reply, problem(status, error.message, instance, error.code ? { code: error.code } : {}), headers)
    })
    app.setNotFoundHandler(function notFound(request, reply) {
      return sendProblem(reply, problem(404, `No route ${request.method} ${request.url.split('?')[0]}`, request.url, { code: 'KIT_ERR_NO_ROUTE' }))
    })
  },
  { name: '@lms/kit/problem' },
)
