/** An error a route may throw; the kit's error handler turns it into problem+json. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'AppError'
  }
}

type ErrorSpec = { status: number; message: string }
type Factories<C extends Record<string, ErrorSpec>> = {
  [K in keyof C]: (detail?: string, extra?: Record<string, unknown>) => AppError
}

/**
 * Declares a service's error catalogue once: code → status and default message.
 *
 * @example
 * export const errors = defineErrors({
 *   ENR_ERR_COURSE_FULL: { status: 409, message: 'The course has no free seat' },
 * })
 * throw errors.ENR_ERR_COURSE_FULL()
 */
export function defineErrors<C extends Record<string, ErrorSpec>>(catalogue: C): Factories<C> {
  const factories = {} as Factories<C>
  for (const [code, spec] of Object.entries(catalogue) as Array<[keyof C & string, ErrorSpec]>) {
    factories[code] = (detail, extra) => new AppError(code, spec.status, detail ?? spec.message, extra)
  }
  return factories
}

/** Errors the kit itself raises. */
export const kitErrors = defineErrors({
  KIT_ERR_UNAUTHORIZED: { status: 401, message: 'A valid access token is required' },
  KIT_ERR_FORBIDDEN: { status: 403, message: 'You are not allowed to do this' },
  KIT_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  KIT_ERR_PRECONDITION_FAILED: { status: 412, message: 'The resource changed since you read it (If-Match does not match)' },
  KIT_ERR_PRECONDITION_REQUIRED: { status: 428, message: 'If-Match is required for this update' },
  KIT_ERR_BAD_CURSOR: { status: 400, message: 'The cursor is not valid' },
})
